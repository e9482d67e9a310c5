import { spawn } from 'node:child_process';
import zlib from 'node:zlib';
import { Request, Response } from 'express';
import { SANDBOX_IDENTITY } from '../defaults';
import { FaultInjector } from '../faults/FaultInjector';
import { PushRaceStage } from '../faults/faultRules';
import { BranchProtection } from '../github/BranchProtection';
import { matchesSecret, parseBasic } from '../http/auth';
import {
  GitRefConflictError,
  GitRepositories,
  isValidRepoName,
} from './GitRepositories';
import {
  isCreate,
  parseReceivePackRequest,
  ReceivePackRequest,
  refusalResponse,
  targetBranches,
} from './receivePack';
import { GIT_SAFETY_ARGS } from './runGit';

const ALLOWED_SUFFIXES = [
  /^\/info\/refs$/,
  /^\/git-upload-pack$/,
  /^\/git-receive-pack$/,
  /^\/HEAD$/,
];

/** Largest push body read (the same bound http-backend is given). */
const MAX_PUSH_BYTES = 100 * 1024 * 1024;

/** Reads a request body, gunzipping it when the client compressed it. */
function readBody(req: Request): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PUSH_BYTES) {
        reject(new Error('push too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const encoding = String(req.headers['content-encoding'] ?? '');
      try {
        resolve(
          /^(x-)?gzip$/i.test(encoding)
            ? zlib.gunzipSync(raw, { maxOutputLength: MAX_PUSH_BYTES })
            : raw,
        );
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** Answers a push with a refusal of every command, as git's receive-pack does. */
function sendRefusal(res: Response, body: Buffer) {
  res.status(200);
  res.setHeader('Content-Type', 'application/x-git-receive-pack-result');
  res.setHeader('Cache-Control', 'no-cache, max-age=0, must-revalidate');
  res.setHeader('Expires', 'Fri, 01 Jan 1980 00:00:00 GMT');
  res.setHeader('Pragma', 'no-cache');
  res.end(body);
}

/**
 * Git smart HTTP at `/git/<owner>/<repo>.git/...`, served by `git
 * http-backend` as a CGI. Fetches are anonymous; pushes need the token as
 * the basic-auth password (any user name, as with GitHub).
 *
 * Pushes are read before git sees them: the command list (`old new ref`) is
 * checked against branch protection and the push faults (`push-reject`,
 * `push-race`), and a refused push is answered with a receive-pack status
 * report (`ng <ref> <reason>`, `remote:` lines on side-band 2), so git
 * clients report a normal push rejection rather than an HTTP error.
 */
export function createGitHttpHandler(options: {
  repos: GitRepositories;
  tokens: string[];
  protection: BranchProtection;
  faults: FaultInjector;
  onPushed: (owner: string, repo: string) => Promise<void>;
  log?: (line: string) => void;
}) {
  const { repos, tokens, protection, faults } = options;
  const log = options.log ?? (() => {});

  /** Commits a harmless change to the branch, as a concurrent writer would. */
  const race = async (owner: string, repo: string, branch: string) => {
    const parent = await repos.resolveCommit(
      owner,
      repo,
      `refs/heads/${branch}`,
    );
    if (!parent) return;
    const previous =
      (await repos.readFile(owner, repo, parent, 'RACE.md'))?.toString(
        'utf8',
      ) ??
      '# Concurrent changes\n\nWritten by the sandbox (push-race fault).\n\n';
    try {
      await repos.commitFiles({
        owner,
        repo,
        branch,
        parent,
        changes: [
          {
            path: 'RACE.md',
            content: `${previous}- ${new Date().toISOString()}\n`,
          },
        ],
        message: 'Concurrent change (sandbox push-race fault)\n',
        author: SANDBOX_IDENTITY,
      });
    } catch (error) {
      // Someone else moved the branch meanwhile: the race happened anyway.
      if (!(error instanceof GitRefConflictError)) throw error;
    }
    log(`sandbox: push-race fault moved ${owner}/${repo} ${branch}`);
    await options.onPushed(owner, repo);
  };

  /**
   * Decides on a push before git applies it: a refusal body, or undefined
   * to let git apply it.
   */
  const screenPush = async (
    owner: string,
    repo: string,
    faultPath: string,
    request: ReceivePackRequest,
  ): Promise<Buffer | undefined> => {
    const protectedRefs = request.commands
      .map(command => command.ref)
      .filter(
        ref =>
          ref.startsWith('refs/heads/') &&
          protection.isProtected(owner, repo, ref.slice('refs/heads/'.length)),
      );
    if (protectedRefs.length > 0) {
      log(
        `sandbox: push to ${owner}/${repo} refused: protected branch ${protectedRefs.join(
          ', ',
        )}`,
      );
      return refusalResponse(request, {
        reason: () => 'protected branch hook declined',
        messages: [
          ...protectedRefs.map(
            ref => `error: GH006: Protected branch update failed for ${ref}.`,
          ),
          'error: Changes must be made through a pull request.',
        ],
      });
    }
    const rule = faults.takePushFault('update', faultPath);
    if (rule?.mode === 'push-reject') {
      const current = new Map<string, string>();
      for (const command of request.commands) {
        current.set(
          command.ref,
          (await repos.resolveCommit(owner, repo, command.ref)) ??
            '0000000000000000000000000000000000000000',
        );
      }
      log(`sandbox: push-reject fault refused a push to ${owner}/${repo}`);
      return refusalResponse(request, {
        reason: command =>
          (rule.message ?? 'failed to update ref')
            .replace(/\{ref\}/g, command.ref)
            .replace(/\{expected\}/g, command.oldSha)
            .replace(/\{current\}/g, current.get(command.ref) ?? ''),
      });
    }
    if (rule?.mode === 'push-race') {
      const updated = request.commands.filter(command => !isCreate(command));
      for (const branch of targetBranches(updated)) {
        await race(owner, repo, branch);
      }
    }
    return undefined;
  };

  return (req: Request, res: Response) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) {
        res.status(500).type('text/plain').send('git request failed\n');
      } else {
        res.end();
      }
    });
  };

  async function handle(req: Request, res: Response) {
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

    const faultPath = `${req.baseUrl}${req.path}`;
    let stage: PushRaceStage | undefined;
    if (rest === '/git-receive-pack' && req.method === 'POST') stage = 'update';
    else if (rest === '/info/refs' && isPush) stage = 'advertise';

    let input: Buffer | undefined;
    if (stage === 'advertise') {
      const rule = faults.takePushFault('advertise', faultPath);
      if (rule?.mode === 'push-race') {
        await race(owner, repo, rule.branch ?? 'main');
      }
    } else if (stage === 'update') {
      input = await readBody(req);
      const request = parseReceivePackRequest(input);
      if (!request) {
        res
          .status(400)
          .type('text/plain')
          .send('Malformed receive-pack request.\n');
        return;
      }
      const refusal = await screenPush(owner, repo, faultPath, request);
      if (refusal) {
        sendRefusal(res, refusal);
        return;
      }
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
    if (input) {
      // Read (and gunzipped) above: git gets the plain bytes.
      env.CONTENT_LENGTH = String(input.length);
    } else {
      if (req.headers['content-length'])
        env.CONTENT_LENGTH = req.headers['content-length'];
      if (req.headers['content-encoding'])
        env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
    }
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
    child.stdin.on('error', () => {});
    if (input) child.stdin.end(input);
    else req.pipe(child.stdin);
  }
}
