import { spawn } from 'node:child_process';
import { Request, Response } from 'express';
import { matchesSecret, parseBasic } from '../http/auth';
import { GitRepositories, isValidRepoName } from './GitRepositories';
import { GIT_SAFETY_ARGS } from './runGit';

const ALLOWED_SUFFIXES = [
  /^\/info\/refs$/,
  /^\/git-upload-pack$/,
  /^\/git-receive-pack$/,
  /^\/HEAD$/,
];

/**
 * Git smart HTTP at `/git/<owner>/<repo>.git/...`, served by `git
 * http-backend` as a CGI. Fetches are anonymous; pushes need the token as
 * the basic-auth password (any user name, as with GitHub).
 */
export function createGitHttpHandler(options: {
  repos: GitRepositories;
  tokens: string[];
  onPushed: (owner: string, repo: string) => Promise<void>;
}) {
  const { repos, tokens } = options;
  return (req: Request, res: Response) => {
    const match = /^\/([^/]+)\/([^/]+)\.git(\/.*)$/.exec(req.path);
    const owner = match?.[1] ?? '';
    const repo = match?.[2] ?? '';
    const rest = match?.[3] ?? '';
    if (
      !match ||
      !isValidRepoName(owner) ||
      !isValidRepoName(repo) ||
      !ALLOWED_SUFFIXES.some(p => p.test(rest))
    ) {
      res.status(404).type('text/plain').send('Repository not found.\n');
      return;
    }
    if (!repos.exists(owner, repo)) {
      res.status(404).type('text/plain').send('Repository not found.\n');
      return;
    }
    const queryIndex = req.originalUrl.indexOf('?');
    const queryString =
      queryIndex >= 0 ? req.originalUrl.slice(queryIndex + 1) : '';
    const isPush =
      rest === '/git-receive-pack' ||
      /(^|&)service=git-receive-pack(&|$)/.test(queryString);
    const credentials = parseBasic(req.headers);
    const authenticated =
      credentials !== undefined && matchesSecret(credentials.password, tokens);
    if (
      (isPush && !authenticated) ||
      (req.headers.authorization && !authenticated)
    ) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Slipway sandbox git"');
      res
        .status(401)
        .type('text/plain')
        .send(
          'Authentication failed: push needs the sandbox token as password.\n',
        );
      return;
    }

    const env: NodeJS.ProcessEnv = {
      ...repos.environment,
      GIT_PROJECT_ROOT: repos.root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: `/${owner}/${repo}.git${rest}`,
      REQUEST_METHOD: req.method,
      QUERY_STRING: queryString,
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      GIT_HTTP_MAX_REQUEST_BUFFER: '100M',
    };
    if (authenticated && credentials) {
      env.REMOTE_USER = credentials.username || 'sandbox';
    }
    if (req.headers['content-length'])
      env.CONTENT_LENGTH = req.headers['content-length'];
    if (req.headers['content-encoding'])
      env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
    if (req.headers['git-protocol'])
      env.GIT_PROTOCOL = String(req.headers['git-protocol']);

    const child = spawn('git', [...GIT_SAFETY_ARGS, 'http-backend'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let headerBuffer = Buffer.alloc(0);
    let headersDone = false;
    child.stderr.on('data', () => {});
    child.on('error', () => {
      if (!res.headersSent) res.status(500).end();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      headerBuffer = Buffer.concat([headerBuffer, chunk]);
      let end = headerBuffer.indexOf('\r\n\r\n');
      let separatorLength = 4;
      if (end < 0) {
        end = headerBuffer.indexOf('\n\n');
        separatorLength = 2;
      }
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of headerBuffer
        .slice(0, end)
        .toString('utf8')
        .split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') {
          status = Number(value.split(' ')[0]) || 200;
        } else {
          res.setHeader(name, value);
        }
      }
      res.status(status);
      const body = headerBuffer.slice(end + separatorLength);
      if (body.length) res.write(body);
    });
    child.on('close', () => {
      if (!headersDone && !res.headersSent) {
        res.status(500).type('text/plain').send('git http-backend failed\n');
        return;
      }
      // Let the sandbox see the new commits before the client hears "done".
      const settle =
        rest === '/git-receive-pack'
          ? options.onPushed(owner, repo)
          : Promise.resolve();
      settle.catch(() => undefined).finally(() => res.end());
    });
    req.pipe(child.stdin);
    child.stdin.on('error', () => {});
  };
}
