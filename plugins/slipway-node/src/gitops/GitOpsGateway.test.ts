import { ConfigReader } from '@backstage/config';
import fs from 'fs';
import os from 'os';
import path from 'path';
import {
  GatewayGitServer,
  startGatewayGitServer,
} from './__testUtils__/gitServer';
import { GitOpsGateway } from './GitOpsGateway';
import { ScmCredentials } from './ScmCredentials';
import { GitOpsTreeView, GitOpsWriteRequest } from './types';

// Starts a git smart-HTTP server per test and clones/pushes through it.
jest.setTimeout(120_000);

const TOKEN = 'gateway-sentinel-token-93c1';
const OVERLAY = 'apps/payments-api/overlays/dev/kustomization.yaml';
const TRAILER = { key: 'Slipway-Promotion', value: 'promotion-1' };

let server: GatewayGitServer;
let tmp: string;

beforeEach(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'slipway-gateway-'));
  server = await startGatewayGitServer({
    token: TOKEN,
    repos: {
      gitops: {
        'README.md': '# gitops\n',
        [OVERLAY]: 'images:\n  - name: app\n    newTag: one\n',
      },
    },
  });
});

afterEach(async () => {
  await server.close();
  await fs.promises.rm(tmp, { recursive: true, force: true });
});

function gateway(options: { github?: boolean; warmClonesDir?: string } = {}) {
  return GitOpsGateway.create({
    warmClonesDir: options.warmClonesDir,
    credentials: ScmCredentials.fromConfig(
      new ConfigReader({
        integrations: {
          github:
            options.github === false
              ? []
              : [
                  {
                    host: server.host,
                    apiBaseUrl: server.apiBaseUrl,
                    token: TOKEN,
                  },
                ],
        },
      }),
    ),
  });
}

let workDirs = 0;
function request(
  overrides: Partial<GitOpsWriteRequest> = {},
): GitOpsWriteRequest {
  workDirs++;
  return {
    repoUrl: server.url('gitops'),
    workDir: path.join(tmp, `work-${workDirs}`),
    mode: 'direct',
    message: 'Promote payments-api to dev',
    idempotencyTrailer: TRAILER,
    trailers: { 'Slipway-Environment': 'dev' },
    allowedPaths: ['apps/payments-api'],
    edit: async () => ({
      write: [
        { path: OVERLAY, content: 'images:\n  - name: app\n    newTag: two\n' },
      ],
    }),
    ...overrides,
  };
}

describe('GitOpsGateway, direct mode', () => {
  it('commits the change with its trailers and pushes it', async () => {
    const logs: string[] = [];
    const result = await gateway().write(
      request({ logger: { info: message => logs.push(message) } }),
    );
    expect(result).toMatchObject({
      branch: 'main',
      baseBranch: 'main',
      alreadyApplied: false,
      changed: true,
      files: [OVERLAY],
      attempts: 1,
    });
    const [head] = server.log('gitops');
    expect(head.sha).toBe(result.commitSha);
    expect(head.message).toBe(
      'Promote payments-api to dev\n\nSlipway-Environment: dev\nSlipway-Promotion: promotion-1',
    );
    expect(server.show('gitops', 'main', OVERLAY)).toContain('newTag: two');
    expect(JSON.stringify(logs)).not.toContain(TOKEN);
  });

  it('THREATS 8/22: a re-run finds the commit that names the change and writes nothing', async () => {
    const first = await gateway().write(request());
    const edit = jest.fn();
    const again = await gateway().write(request({ edit }));
    expect(again).toMatchObject({
      alreadyApplied: true,
      changed: false,
      commitSha: first.commitSha,
    });
    expect(edit).not.toHaveBeenCalled();
    expect(server.log('gitops')).toHaveLength(2);
  });

  it('writes nothing when the repository already holds the change', async () => {
    const result = await gateway().write(
      request({
        edit: async tree => ({
          write: [{ path: OVERLAY, content: (await tree.readFile(OVERLAY))! }],
          delete: ['apps/payments-api/missing.yaml'],
        }),
      }),
    );
    expect(result).toMatchObject({ changed: false, files: [] });
    expect(result.commitSha).toBeUndefined();
    expect(server.log('gitops')).toHaveLength(1);
  });

  it('deletes files and gives the edit a contained, read-only view of the tree', async () => {
    let seen: GitOpsTreeView | undefined;
    const result = await gateway().write(
      request({
        edit: async tree => {
          seen = tree;
          await expect(tree.readFile('../etc/passwd')).rejects.toThrow();
          await expect(tree.readFile('.git/config')).rejects.toThrow(
            /git metadata/,
          );
          expect(
            await tree.readFile('apps/payments-api/nothing'),
          ).toBeUndefined();
          expect(await tree.readTree('apps/payments-api')).toEqual([
            {
              path: OVERLAY,
              content: 'images:\n  - name: app\n    newTag: one\n',
            },
          ]);
          return { delete: [OVERLAY] };
        },
      }),
    );
    expect(seen).toMatchObject({ branch: 'main', attempt: 1 });
    expect(seen!.head).toBe(server.log('gitops')[1].sha);
    expect(result.files).toEqual([OVERLAY]);
    expect(() => server.show('gitops', 'main', OVERLAY)).toThrow();
  });

  it('refuses edits outside the allowed paths, into .git, or naming a file twice', async () => {
    for (const edit of [
      { write: [{ path: 'apps/other/x.yaml', content: '' }] },
      {
        write: [
          { path: 'apps/payments-api/.git/hooks/post-checkout', content: '' },
        ],
      },
      { delete: ['README.md'] },
      {
        write: [
          { path: OVERLAY, content: 'a: 1\n' },
          { path: `./${OVERLAY}`, content: 'a: 2\n' },
        ],
      },
    ]) {
      await expect(
        gateway().write(request({ edit: async () => edit })),
      ).rejects.toMatchObject({ name: 'InputError' });
    }
    expect(server.log('gitops')).toHaveLength(1);
  });

  it('refuses bad requests before touching the network', async () => {
    const bad: Partial<GitOpsWriteRequest>[] = [
      { repoUrl: 'ssh://git@example.com/acme/gitops.git' },
      {
        repoUrl: `http://x-access-token:${TOKEN}@${server.host}/git/acme/gitops.git`,
      },
      { idempotencyTrailer: { key: 'Slipway-Promotion', value: 'a\nb' } },
      { trailers: { 'Bad Key': 'x' } },
      { baseBranch: '../main' },
      { mode: 'pull-request' },
      { mode: 'pull-request', branch: 'main', baseBranch: 'main' },
      { maxAttempts: 0 },
    ];
    for (const overrides of bad) {
      const error = await gateway()
        .write(request(overrides))
        .catch(e => e);
      expect(error).toMatchObject({ name: 'InputError' });
      expect(error.message).not.toContain(TOKEN);
    }
    expect(server.requests).toEqual([]);
  });
});

describe('THREATS 19: a branch that moved is fetched again and the edit rerun', () => {
  it('recomputes from the new HEAD and never writes stale content', async () => {
    const heads: string[] = [];
    const result = await gateway().write(
      request({
        edit: async tree => {
          heads.push(tree.head);
          if (tree.attempt === 1) {
            // Another writer lands between our fetch and our push.
            server.commitAsOther('gitops', {
              'apps/payments-api/other.yaml': 'x: 1\n',
            });
          }
          const current = (await tree.readFile(OVERLAY))!;
          return {
            write: [
              { path: OVERLAY, content: `${current}# seen ${tree.head}\n` },
            ],
          };
        },
      }),
    );
    expect(result.attempts).toBe(2);
    expect(heads[0]).not.toBe(heads[1]);
    const log = server.log('gitops');
    expect(log).toHaveLength(3);
    expect(log[1].message.trim()).toBe('Another writer');
    // The other writer's file survives and the edit saw the HEAD it pushed on.
    expect(server.show('gitops', 'main', 'apps/payments-api/other.yaml')).toBe(
      'x: 1\n',
    );
    expect(server.show('gitops', 'main', OVERLAY)).toBe(
      `images:\n  - name: app\n    newTag: one\n# seen ${log[1].sha}\n`,
    );
  });

  it('gives up after the bounded attempts with a typed conflict, never forcing', async () => {
    let others = 0;
    const error = await gateway()
      .write(
        request({
          maxAttempts: 2,
          edit: async () => {
            others++;
            server.commitAsOther('gitops', {
              [`apps/payments-api/other-${others}.yaml`]: 'x: 1\n',
            });
            return { write: [{ path: OVERLAY, content: 'mine: 1\n' }] };
          },
        }),
      )
      .catch(e => e);
    expect(error).toMatchObject({
      name: 'ConflictError',
      reason: 'non-fast-forward',
    });
    expect(error.message).toMatch(/gave up after 2 attempts/);
    const log = server.log('gitops');
    expect(log.map(c => c.message.trim())).toEqual([
      'Another writer',
      'Another writer',
      'Initial commit',
    ]);
  });

  it.each([
    [
      'GitHub "cannot lock ref"',
      "cannot lock ref 'refs/heads/main': is at 5fba7059d04331dca5f91b3913d5658f3fde157c but expected 4d2e31892e29d957ad7d6bc79097c7f3e86798c7",
    ],
    ['GitLab "incorrect old value provided"', 'incorrect old value provided'],
  ])('retries a server that answers %s', async (_name, text) => {
    const marker = path.join(tmp, 'rejected-once');
    server.hook(
      'gitops',
      `if [ ! -f ${marker} ]; then touch ${marker}; echo "${text}" >&2; exit 1; fi\nexit 0`,
    );
    const result = await gateway().write(request());
    expect(result).toMatchObject({ changed: true, attempts: 2 });
    expect(server.log('gitops')).toHaveLength(2);
  });
});

describe('THREATS 20: terminal rejections are typed errors', () => {
  it('a protected branch fails at once with NotAllowedError', async () => {
    server.hook(
      'gitops',
      'echo "error: GH006: Protected branch update failed for refs/heads/main." >&2\nexit 1',
    );
    const edit = jest.fn(async () => ({
      write: [{ path: OVERLAY, content: 'mine: 1\n' }],
    }));
    const error = await gateway()
      .write(request({ edit }))
      .catch(e => e);
    expect(error).toMatchObject({
      name: 'NotAllowedError',
      reason: 'protected-branch',
    });
    expect(edit).toHaveBeenCalledTimes(1);
    expect(server.log('gitops')).toHaveLength(1);
  });

  it('refused credentials fail with NotAllowedError and never leak the token', async () => {
    const logs: string[] = [];
    const error = await gateway()
      .write(
        request({
          token: 'wrong-token-for-this-test',
          logger: { info: m => logs.push(m) },
        }),
      )
      .catch(e => e);
    expect(error).toMatchObject({ name: 'NotAllowedError', reason: 'auth' });
    expect(JSON.stringify([error.message, error.stack, logs])).not.toMatch(
      /wrong-token-for-this-test|gateway-sentinel/,
    );
    expect(server.requests.every(r => !r.split(' ')[1].includes(TOKEN))).toBe(
      true,
    );
  });

  it('another hook refusal is a ConflictError naming what the server said', async () => {
    server.hook('gitops', 'echo "policy: commits must be signed" >&2\nexit 1');
    const error = await gateway()
      .write(request())
      .catch(e => e);
    expect(error).toMatchObject({ name: 'ConflictError', reason: 'rejected' });
    expect(error.message).toMatch(/policy: commits must be signed/);
  });
});

describe('THREATS 21: pull-request mode, one branch per change', () => {
  const branch = 'slipway/promote-payments-api-dev';

  it('pushes the branch, opens one pull request, and finds both again on a re-run', async () => {
    const first = await gateway().write(
      request({ mode: 'pull-request', branch }),
    );
    expect(first).toMatchObject({
      branch,
      baseBranch: 'main',
      changed: true,
      pullRequestUrl: 'http://example.test/acme/gitops/pull/1',
    });
    expect(server.log('gitops')).toHaveLength(1);
    expect(server.log('gitops', branch)[0].sha).toBe(first.commitSha);
    expect(server.pulls).toEqual([
      expect.objectContaining({ head: { ref: branch }, base: 'main' }),
    ]);

    const again = await gateway().write(
      request({ mode: 'pull-request', branch }),
    );
    expect(again).toMatchObject({
      alreadyApplied: true,
      commitSha: first.commitSha,
      pullRequestUrl: first.pullRequestUrl,
    });
    expect(server.pulls).toHaveLength(1);
  });

  it('an empty change is a no-op: no branch, no pull request', async () => {
    const result = await gateway().write(
      request({
        mode: 'pull-request',
        branch,
        edit: async tree => ({
          write: [{ path: OVERLAY, content: (await tree.readFile(OVERLAY))! }],
        }),
      }),
    );
    expect(result).toMatchObject({ changed: false, branch: 'main' });
    expect(result.pullRequestUrl).toBeUndefined();
    expect(server.branches('gitops')).toEqual(['main']);
    expect(server.pulls).toEqual([]);
  });

  it('reuses a drifted branch: commits on top of it, never forcing, one pull request', async () => {
    // The branch exists (an earlier change) and main has moved on since.
    const work = await gateway().write(
      request({
        mode: 'pull-request',
        branch,
        idempotencyTrailer: { key: 'Slipway-Promotion', value: 'promotion-0' },
        edit: async () => ({
          write: [
            {
              path: OVERLAY,
              content: 'images:\n  - name: app\n    newTag: zero\n',
            },
          ],
        }),
      }),
    );
    server.commitAsOther('gitops', { 'README.md': '# moved\n' }, 'main');
    const result = await gateway().write(
      request({ mode: 'pull-request', branch }),
    );
    expect(result).toMatchObject({ changed: true, branch });
    const onBranch = server.log('gitops', branch);
    expect(onBranch[0].sha).toBe(result.commitSha);
    expect(onBranch[1].sha).toBe(work.commitSha);
    expect(server.show('gitops', branch, OVERLAY)).toContain('newTag: two');
    expect(server.pulls).toHaveLength(1);
    expect(result.pullRequestUrl).toBe(work.pullRequestUrl);
  });

  it('needs a GitHub or GitLab integration, checked before anything is pushed', async () => {
    const error = await gateway({ github: false })
      .write(request({ mode: 'pull-request', branch, token: TOKEN }))
      .catch(e => e);
    expect(error).toMatchObject({ name: 'InputError' });
    expect(server.requests).toEqual([]);
  });
});

describe('warm clones: one clone per repository, fetched before each write', () => {
  const overlayTag = (tag: string) => async () => ({
    write: [
      {
        path: OVERLAY,
        content: `images:\n  - name: app\n    newTag: ${tag}\n`,
      },
    ],
  });
  const trailer = (value: string) => ({ key: 'Slipway-Promotion', value });
  it('a second write fetches into the same clone and sees what others pushed meanwhile', async () => {
    const warmClonesDir = path.join(tmp, 'warm');
    const g = gateway({ warmClonesDir });
    await g.write(
      request({ idempotencyTrailer: trailer('p1'), edit: overlayTag('two') }),
    );
    const clones = fs.readdirSync(warmClonesDir);
    expect(clones).toHaveLength(1);
    server.commitAsOther('gitops', {
      'apps/payments-api/other.yaml': 'x: 1\n',
    });
    const seen: (string | undefined)[] = [];
    const second = await g.write(
      request({
        idempotencyTrailer: trailer('p2'),
        edit: async tree => {
          seen.push(await tree.readFile('apps/payments-api/other.yaml'));
          seen.push(await tree.readFile(OVERLAY));
          return overlayTag('three')();
        },
      }),
    );
    expect(fs.readdirSync(warmClonesDir)).toEqual(clones);
    expect(seen).toEqual([
      'x: 1\n',
      'images:\n  - name: app\n    newTag: two\n',
    ]);
    const log = server.log('gitops');
    expect(log[0].sha).toBe(second.commitSha);
    expect(log).toHaveLength(4);
    expect(server.show('gitops', 'main', OVERLAY)).toContain('newTag: three');
    // The earlier write's trailer is found in the warm clone's history too.
    const again = await g.write(
      request({ idempotencyTrailer: trailer('p1'), edit: overlayTag('two') }),
    );
    expect(again).toMatchObject({ alreadyApplied: true, changed: false });
    expect(server.log('gitops')).toHaveLength(4);
  });

  it('THREATS 19: a rejected push throws the clone away; the retry and later writes see no leftover of the failed attempt', async () => {
    const g = gateway({ warmClonesDir: path.join(tmp, 'warm') });
    await g.write(
      request({ idempotencyTrailer: trailer('p1'), edit: overlayTag('two') }),
    );
    const result = await g.write(
      request({
        idempotencyTrailer: trailer('p2'),
        edit: async tree => {
          if (tree.attempt === 1) {
            server.commitAsOther('gitops', { 'README.md': '# moved\n' });
            // A new file only the failed attempt writes.
            return {
              write: [
                { path: 'apps/payments-api/leftover.yaml', content: 'x: 1\n' },
              ],
            };
          }
          expect(
            await tree.readFile('apps/payments-api/leftover.yaml'),
          ).toBeUndefined();
          return overlayTag('three')();
        },
      }),
    );
    expect(result.attempts).toBe(2);
    await g.write(
      request({
        idempotencyTrailer: trailer('p3'),
        edit: async tree => {
          expect(
            await tree.readFile('apps/payments-api/leftover.yaml'),
          ).toBeUndefined();
          expect(await tree.readFile('README.md')).toBe('# moved\n');
          return overlayTag('four')();
        },
      }),
    );
    expect(() =>
      server.show('gitops', 'main', 'apps/payments-api/leftover.yaml'),
    ).toThrow();
    expect(server.show('gitops', 'main', OVERLAY)).toContain('newTag: four');
  });

  it('an edit that fails leaves nothing behind for the next write', async () => {
    const g = gateway({ warmClonesDir: path.join(tmp, 'warm') });
    await g.write(
      request({ idempotencyTrailer: trailer('p1'), edit: overlayTag('two') }),
    );
    await expect(
      g.write(
        request({
          idempotencyTrailer: trailer('p2'),
          allowedPaths: ['apps/payments-api'],
          edit: async () => ({
            write: [{ path: 'outside.yaml', content: 'x\n' }],
          }),
        }),
      ),
    ).rejects.toThrow(/outside|allowed/i);
    const result = await g.write(
      request({ idempotencyTrailer: trailer('p3'), edit: overlayTag('three') }),
    );
    expect(result.changed).toBe(true);
    expect(server.show('gitops', 'main', OVERLAY)).toContain('newTag: three');
  });

  it('concurrent writes through one gateway take turns on the clone: every change lands once', async () => {
    const g = gateway({ warmClonesDir: path.join(tmp, 'warm') });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        g.write(
          request({
            idempotencyTrailer: trailer(`c${i}`),
            edit: async () => ({
              write: [
                {
                  path: `apps/payments-api/file-${i}.yaml`,
                  content: `i: ${i}\n`,
                },
              ],
            }),
          }),
        ),
      ),
    );
    expect(results.every(r => r.changed && r.attempts === 1)).toBe(true);
    expect(server.log('gitops')).toHaveLength(6);
    for (let i = 0; i < 5; i++) {
      expect(
        server.show('gitops', 'main', `apps/payments-api/file-${i}.yaml`),
      ).toBe(`i: ${i}\n`);
    }
  });

  it('pull-request mode from a warm base: the branch gets the change, a later direct write lands on main from the same clone', async () => {
    const g = gateway({ warmClonesDir: path.join(tmp, 'warm') });
    const branch = 'slipway/promote-payments-api-prod';
    const first = await g.write(
      request({
        mode: 'pull-request',
        branch,
        idempotencyTrailer: trailer('pr1'),
        edit: overlayTag('two'),
      }),
    );
    expect(first.changed).toBe(true);
    server.commitAsOther('gitops', { 'README.md': '# moved\n' }, 'main');
    const direct = await g.write(
      request({ idempotencyTrailer: trailer('d1'), edit: overlayTag('three') }),
    );
    expect(direct.branch).toBe('main');
    expect(server.show('gitops', 'main', OVERLAY)).toContain('newTag: three');
    expect(server.show('gitops', branch, OVERLAY)).toContain('newTag: two');
    expect(server.pulls).toHaveLength(1);
    expect(fs.readdirSync(path.join(tmp, 'warm'))).toHaveLength(1);
  });
});
