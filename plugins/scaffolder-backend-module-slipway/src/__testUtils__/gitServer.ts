import { execFileSync, spawn } from 'child_process';
import fs from 'fs';
import http from 'http';
import { AddressInfo } from 'net';
import os from 'os';
import path from 'path';

/** A throwaway git smart-HTTP server (git http-backend) with basic auth. */
export interface TestGitServer {
  url(repo: string): string;
  /** Every request line and header seen, to check that no secret leaked into a URL. */
  requests: string[];
  /** Pull requests opened through the fake GitHub API (`/api/v3`). */
  pulls: {
    head: { ref: string };
    base: string;
    title: string;
    html_url: string;
  }[];
  apiBaseUrl: string;
  bareDir(repo: string): string;
  log(repo: string, branch?: string): { sha: string; message: string }[];
  show(repo: string, ref: string, file: string): string;
  close(): Promise<void>;
}

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

function git(args: string[], cwd: string): string {
  return execFileSync('git', ['-c', 'core.hooksPath=/dev/null', ...args], {
    cwd,
    env: GIT_ENV,
    encoding: 'utf8',
  });
}

export async function startGitServer(options: {
  token: string;
  /** Files of each repository's first commit; null for an empty repository. */
  repos: Record<string, Record<string, string> | null>;
}): Promise<TestGitServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-git-'));
  for (const [name, files] of Object.entries(options.repos)) {
    const bare = path.join(root, 'repos', 'acme', `${name}.git`);
    fs.mkdirSync(path.dirname(bare), { recursive: true });
    if (files === null) {
      git(['init', '-q', '--bare', '-b', 'main', bare], root);
    } else {
      const work = path.join(root, `${name}-work`);
      fs.mkdirSync(work, { recursive: true });
      git(['init', '-q', '-b', 'main'], work);
      for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
        fs.writeFileSync(path.join(work, file), content);
      }
      git(['add', '-A'], work);
      git(['commit', '-q', '--allow-empty', '-m', 'Initial commit'], work);
      git(['clone', '-q', '--bare', work, bare], root);
    }
    git(['config', 'http.receivepack', 'true'], bare);
  }
  const requests: string[] = [];
  const pulls: TestGitServer['pulls'] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)}`);
    if (req.url?.startsWith('/api/v3/')) {
      if (req.headers.authorization !== `token ${options.token}`) {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: 'Bad credentials' }));
        return;
      }
      const api = new URL(req.url, 'http://localhost');
      const match = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(
        api.pathname,
      );
      if (!match) {
        res.writeHead(404);
        res.end('{}');
        return;
      }
      if (req.method === 'GET') {
        const head = api.searchParams.get('head');
        res.writeHead(200, { 'Content-Type': 'application/json' });
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
          title: input.title,
          html_url: `http://example.test/${match[1]}/${match[2]}/pull/${
            pulls.length + 1
          }`,
        };
        pulls.push(pull);
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(pull));
      });
      return;
    }
    const expected = `Basic ${Buffer.from(
      `x-access-token:${options.token}`,
    ).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' });
      res.end('unauthorized');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathInfo = url.pathname.replace(/^\/git/, '');
    const child = spawn('git', ['http-backend'], {
      env: {
        ...GIT_ENV,
        GIT_PROJECT_ROOT: path.join(root, 'repos'),
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: pathInfo,
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
      const headerLines = buffer.subarray(0, end).toString().split('\r\n');
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
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
  const port = (server.address() as AddressInfo).port;
  return {
    url: repo => `http://127.0.0.1:${port}/git/acme/${repo}.git`,
    requests,
    pulls,
    apiBaseUrl: `http://127.0.0.1:${port}/api/v3`,
    bareDir: repo => path.join(root, 'repos', 'acme', `${repo}.git`),
    log: (repo, branch = 'main') => {
      const out = git(
        ['log', '--format=%H%x00%B%x01', branch],
        path.join(root, 'repos', 'acme', `${repo}.git`),
      );
      return out
        .split('\x01')
        .map(s => s.trim())
        .filter(Boolean)
        .map(entry => {
          const [sha, message] = entry.split('\x00');
          return { sha, message };
        });
    },
    show: (repo, ref, file) =>
      git(
        ['show', `${ref}:${file}`],
        path.join(root, 'repos', 'acme', `${repo}.git`),
      ),
    close: async () => {
      await new Promise<void>(resolve => server.close(() => resolve()));
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
