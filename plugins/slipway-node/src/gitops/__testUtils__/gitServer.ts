import { execFileSync, spawn } from 'child_process';
import fs from 'fs';
import http from 'http';
import { AddressInfo } from 'net';
import os from 'os';
import path from 'path';

/**
 * A throwaway git smart-HTTP server (real `git http-backend`, basic auth)
 * with a fake GitHub pulls API, server-side hooks and a second writer, so the
 * gateway meets real rejections.
 */
export interface GatewayGitServer {
  url(repo: string): string;
  apiBaseUrl: string;
  host: string;
  /** Every request line and header seen. */
  requests: string[];
  pulls: { head: { ref: string }; base: string; html_url: string }[];
  /** Installs a pre-receive hook (shell script body) in a repository. */
  hook(repo: string, script: string): void;
  /** Commits files as another writer, straight into the bare repository. */
  commitAsOther(
    repo: string,
    files: Record<string, string>,
    branch?: string,
  ): string;
  log(repo: string, branch?: string): { sha: string; message: string }[];
  show(repo: string, ref: string, file: string): string;
  branches(repo: string): string[];
  close(): Promise<void>;
}

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Other',
  GIT_AUTHOR_EMAIL: 'other@example.com',
  GIT_COMMITTER_NAME: 'Other',
  GIT_COMMITTER_EMAIL: 'other@example.com',
};

function git(args: string[], cwd: string): string {
  return execFileSync('git', ['-c', 'core.hooksPath=/dev/null', ...args], {
    cwd,
    env: GIT_ENV,
    encoding: 'utf8',
  });
}

export async function startGatewayGitServer(options: {
  token: string;
  repos: Record<string, Record<string, string>>;
}): Promise<GatewayGitServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-gateway-git-'));
  const bareDir = (repo: string) =>
    path.join(root, 'repos', 'acme', `${repo}.git`);
  for (const [name, files] of Object.entries(options.repos)) {
    const work = path.join(root, `${name}-seed`);
    fs.mkdirSync(work, { recursive: true });
    git(['init', '-q', '-b', 'main'], work);
    for (const [file, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      fs.writeFileSync(path.join(work, file), content);
    }
    git(['add', '-A'], work);
    git(['commit', '-q', '--allow-empty', '-m', 'Initial commit'], work);
    fs.mkdirSync(path.dirname(bareDir(name)), { recursive: true });
    git(['clone', '-q', '--bare', work, bareDir(name)], root);
    git(['config', 'http.receivepack', 'true'], bareDir(name));
    fs.mkdirSync(path.join(bareDir(name), 'hooks'), { recursive: true });
  }
  const requests: string[] = [];
  const pulls: GatewayGitServer['pulls'] = [];
  const basic = `Basic ${Buffer.from(
    `x-access-token:${options.token}`,
  ).toString('base64')}`;

  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)}`);
    const url = new URL(req.url ?? '/', 'http://git.test');
    if (url.pathname.startsWith('/api/v3/')) {
      if (req.headers.authorization !== `token ${options.token}`) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"message":"Bad credentials"}');
        return;
      }
      const match = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(
        url.pathname,
      );
      if (!match) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{}');
        return;
      }
      if (req.method === 'GET') {
        const head = url.searchParams.get('head');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            pulls.filter(p => `${match[1]}:${p.head.ref}` === head),
          ),
        );
        return;
      }
      let body = '';
      req.on('data', chunk => {
        body += chunk;
      });
      req.on('end', () => {
        const input = JSON.parse(body);
        const pull = {
          head: { ref: input.head },
          base: input.base,
          html_url: `http://example.test/${match[1]}/${match[2]}/pull/${
            pulls.length + 1
          }`,
        };
        pulls.push(pull);
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify(pull));
      });
      return;
    }
    if (req.headers.authorization !== basic) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' });
      res.end('unauthorized');
      return;
    }
    const child = spawn('git', ['http-backend'], {
      env: {
        ...GIT_ENV,
        GIT_PROJECT_ROOT: path.join(root, 'repos'),
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: url.pathname.replace(/^\/git/, ''),
        QUERY_STRING: url.search.replace(/^\?/, ''),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_USER: 'x-access-token',
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    req.pipe(child.stdin);
    let buffer = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of buffer.subarray(0, end).toString().split('\r\n')) {
        const [key, ...rest] = line.split(':');
        const value = rest.join(':').trim();
        if (key.toLowerCase() === 'status') status = parseInt(value, 10);
        else headers[key] = value;
      }
      res.writeHead(status, headers);
      res.write(buffer.subarray(end + 4));
    });
    child.stdout.on('end', () => res.end());
    child.on('error', () => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: repo => `http://${host}/git/acme/${repo}.git`,
    apiBaseUrl: `http://${host}/api/v3`,
    host,
    requests,
    pulls,
    hook(repo, script) {
      const file = path.join(bareDir(repo), 'hooks', 'pre-receive');
      fs.writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    },
    commitAsOther(repo, files, branch = 'main') {
      const work = fs.mkdtempSync(path.join(root, 'other-'));
      git(['clone', '-q', '--branch', branch, bareDir(repo), work], root);
      for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
        fs.writeFileSync(path.join(work, file), content);
      }
      git(['add', '-A'], work);
      git(['commit', '-q', '--allow-empty', '-m', 'Another writer'], work);
      // Straight into the bare repository (hooks off, passed on to receive-pack).
      git(['push', '-q', 'origin', branch], work);
      return git(['rev-parse', 'HEAD'], work).trim();
    },
    log(repo, branch = 'main') {
      return git(['log', '--format=%H%x00%B%x01', branch], bareDir(repo))
        .split('\x01')
        .map(entry => entry.trim())
        .filter(Boolean)
        .map(entry => {
          const [sha, message] = entry.split('\x00');
          return { sha, message };
        });
    },
    show: (repo, ref, file) => git(['show', `${ref}:${file}`], bareDir(repo)),
    branches: repo =>
      git(
        ['for-each-ref', '--format=%(refname:short)', 'refs/heads'],
        bareDir(repo),
      )
        .split('\n')
        .filter(Boolean),
    close: async () => {
      await new Promise<void>(resolve => server.close(() => resolve()));
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
