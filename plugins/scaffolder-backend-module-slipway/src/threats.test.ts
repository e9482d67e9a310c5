/* eslint-disable jest/no-conditional-expect */
import { ConfigReader } from '@backstage/config';
import { initRepoAndPush } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { SCAFFOLDER_TASK_TRAILER } from '@slipway/plugin-slipway-common';
import { GitOpsGateway, setKustomizeImage } from '@slipway/plugin-slipway-node';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { parse as parseYaml, parseDocument } from 'yaml';
import { createArgoCdAppCreateAction } from './actions/argocdAppCreate';
import { createFluxAppCreateAction } from './actions/fluxAppCreate';
import { createGitOpsAppCreateAction } from './actions/gitopsAppCreate';
import { createGitOpsCommitAction } from './actions/gitopsCommit';
import { createKustomizeImageSetAction } from './actions/kustomizeImageSet';
import { scaffoldedFilesEdit } from './gitops/scaffoldedFilesEdit';
import { buildGitOpsApp, resolveEnvironments } from './manifests/gitopsApp';
import { listFiles } from './__testUtils__/checks';
import { startGitServer, TestGitServer } from './__testUtils__/gitServer';
import { TEMPLATES_DIR } from './__testUtils__/paths';
import { runTemplate } from './__testUtils__/templateRunner';

// Starts git smart-HTTP servers and pushes/clones through them.
jest.setTimeout(120_000);

const SENTINEL = 'sentinel-s3cr3t-token-7f2e9a';
const IMAGE = 'harbor.example.com/acme/payments-api';

let tmp: string;
beforeEach(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'slipway-threats-'));
});
afterEach(async () => {
  await fs.promises.rm(tmp, { recursive: true, force: true });
});

function capturingContext(
  input: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  const logs: string[] = [];
  const outputs: Record<string, unknown> = {};
  const record = (...args: unknown[]) => logs.push(JSON.stringify(args));
  const logger = {
    info: record,
    warn: record,
    error: record,
    debug: record,
    child: () => logger,
  };
  const ctx = createMockActionContext({
    input: input as any,
    workspacePath: path.join(tmp, 'workspace'),
    logger: logger as any,
    ...extra,
  } as any);
  ctx.output = (name: string, value: unknown) => {
    outputs[name] = value;
  };
  ctx.createTemporaryDirectory = () =>
    fs.promises.mkdtemp(path.join(tmp, 'scratch-'));
  return { ctx: ctx as any, logs, outputs };
}

async function workspace() {
  const dir = path.join(tmp, 'workspace');
  await fs.promises.mkdir(dir, { recursive: true });
  return dir;
}

describe('THREATS 1: path traversal', () => {
  const hostile = [
    '../escape',
    '/etc/slipway',
    '%2e%2e/escape',
    'apps/%2E%2E/%2e%2e/x',
    'apps/a\u0000b',
    'apps\\..\\x',
  ];

  it.each(hostile)(
    'gitops:app:create refuses gitopsPath %j and writes nothing',
    async value => {
      const dir = await workspace();
      const { ctx } = capturingContext({
        name: 'payments-api',
        image: IMAGE,
        gitopsPath: value,
      });
      await expect(
        createGitOpsAppCreateAction().handler(ctx),
      ).rejects.toMatchObject({
        name: 'InputError',
      });
      expect(listFiles(dir)).toEqual([]);
      expect(fs.readdirSync(tmp)).toEqual(['workspace']);
    },
  );

  it.each(hostile)('gitops:app:create refuses targetPath %j', async value => {
    const dir = await workspace();
    const { ctx } = capturingContext({
      name: 'payments-api',
      image: IMAGE,
      targetPath: value,
    });
    await expect(createGitOpsAppCreateAction().handler(ctx)).rejects.toThrow();
    expect(listFiles(dir)).toEqual([]);
    expect(fs.readdirSync(tmp)).toEqual(['workspace']);
  });

  it.each(hostile)('argocd:app:create refuses projectsPath %j', async value => {
    const dir = await workspace();
    const { ctx } = capturingContext({
      name: 'payments-api',
      owner: 'group:default/team-payments',
      repoUrl: 'https://github.com/acme/gitops.git',
      image: IMAGE,
      projectsPath: value,
    });
    await expect(
      createArgoCdAppCreateAction().handler(ctx),
    ).rejects.toMatchObject({
      name: 'InputError',
    });
    expect(listFiles(dir)).toEqual([]);
  });

  it.each(hostile)(
    'gitops:commit refuses sourcePath and gitopsPath %j before any network call',
    async value => {
      await workspace();
      for (const key of ['sourcePath', 'gitopsPath']) {
        const { ctx } = capturingContext({
          repoUrl: 'http://127.0.0.1:1/git/acme/gitops.git',
          name: 'payments-api',
          [key]: value,
        });
        await expect(
          createGitOpsCommitAction().handler(ctx),
        ).rejects.toMatchObject({
          name: 'InputError',
        });
      }
    },
  );

  it.each(hostile)('kustomize:image:set refuses path %j', async value => {
    await workspace();
    const { ctx } = capturingContext({
      path: value,
      name: IMAGE,
      newTag: 'v1',
    });
    await expect(
      createKustomizeImageSetAction().handler(ctx),
    ).rejects.toThrow();
  });

  it('the GitOps commit refuses files outside the allowed paths', () => {
    expect(() =>
      scaffoldedFilesEdit({
        files: [{ path: 'apps/other/base/x.yaml', content: 'x: 1\n' }],
        allowedPaths: ['apps/payments-api'],
        app: 'payments-api',
        appFolder: 'apps/payments-api',
      }),
    ).toThrow(expect.objectContaining({ name: 'InputError' }));
  });

  it('the GitOps gateway refuses an edit that reaches outside the allowed paths or into .git', () => {
    expect(() =>
      GitOpsGateway.checkEdit(
        { write: [{ path: 'apps/payments-api/.git/config', content: '' }] },
        ['apps/payments-api'],
      ),
    ).toThrow(/git metadata/);
    expect(() =>
      GitOpsGateway.checkEdit(
        { write: [{ path: 'apps/other/x.yaml', content: '' }] },
        ['apps/payments-api'],
      ),
    ).toThrow(/outside the paths/);
    expect(() =>
      GitOpsGateway.checkEdit({ delete: ['../x'] }, ['apps/payments-api']),
    ).toThrow(expect.objectContaining({ name: 'InputError' }));
  });
});

describe('THREATS 2: symbolic link escape', () => {
  it('gitops:app:create refuses a GitOps folder that is a symlink out of the workspace', async () => {
    const dir = await workspace();
    const outside = path.join(tmp, 'outside');
    await fs.promises.mkdir(outside);
    await fs.promises.mkdir(path.join(dir, 'apps'));
    await fs.promises.symlink(outside, path.join(dir, 'apps', 'payments-api'));
    const { ctx } = capturingContext({ name: 'payments-api', image: IMAGE });
    await expect(createGitOpsAppCreateAction().handler(ctx)).rejects.toThrow(
      /symbolic link/,
    );
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('gitops:app:create refuses a symlinked file inside the folder (after resolving real paths)', async () => {
    const dir = await workspace();
    const outside = path.join(tmp, 'outside.yaml');
    await fs.promises.writeFile(outside, 'untouched');
    await fs.promises.mkdir(path.join(dir, 'apps/payments-api/base'), {
      recursive: true,
    });
    await fs.promises.symlink(
      outside,
      path.join(dir, 'apps/payments-api/base/deployment.yaml'),
    );
    const { ctx } = capturingContext({ name: 'payments-api', image: IMAGE });
    await expect(createGitOpsAppCreateAction().handler(ctx)).rejects.toThrow(
      /symbolic link/,
    );
    expect(fs.readFileSync(outside, 'utf8')).toBe('untouched');
  });

  it('argocd:app:create refuses a projects folder that links elsewhere', async () => {
    const dir = await workspace();
    const outside = path.join(tmp, 'outside');
    await fs.promises.mkdir(outside);
    await fs.promises.symlink(outside, path.join(dir, 'projects'));
    const { ctx } = capturingContext({
      name: 'payments-api',
      owner: 'group:default/team-payments',
      repoUrl: 'https://github.com/acme/gitops.git',
      image: IMAGE,
    });
    await expect(createArgoCdAppCreateAction().handler(ctx)).rejects.toThrow(
      /symbolic link/,
    );
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('gitops:commit refuses to carry a symlink from the workspace into the GitOps repository', async () => {
    const dir = await workspace();
    await fs.promises.mkdir(path.join(dir, 'apps/payments-api/base'), {
      recursive: true,
    });
    await fs.promises.symlink(
      '/etc/passwd',
      path.join(dir, 'apps/payments-api/base/passwd.yaml'),
    );
    const { ctx } = capturingContext({
      repoUrl: 'http://127.0.0.1:1/git/acme/gitops.git',
      name: 'payments-api',
    });
    await expect(createGitOpsCommitAction().handler(ctx)).rejects.toThrow(
      /symbolic link/,
    );
  });

  it('kustomize:image:set refuses a kustomization that is a symlink', async () => {
    const dir = await workspace();
    await fs.promises.writeFile(path.join(tmp, 'k.yaml'), 'images: []\n');
    await fs.promises.symlink(
      path.join(tmp, 'k.yaml'),
      path.join(dir, 'kustomization.yaml'),
    );
    const { ctx } = capturingContext({ name: IMAGE, newTag: 'v1' });
    // Refused either by the real-path containment check or as a symbolic link.
    await expect(createKustomizeImageSetAction().handler(ctx)).rejects.toThrow(
      /symbolic link|outside its parent/,
    );
    expect(fs.readFileSync(path.join(tmp, 'k.yaml'), 'utf8')).toBe(
      'images: []\n',
    );
  });
});

describe('THREATS 3: YAML and Kustomize injection', () => {
  const hostile = [
    'payments\nkind: Secret',
    'payments: api',
    'payments #comment',
    '---\nkind: Secret',
    "pay'ments",
    'pay"ments',
    'payments\u2028kind: Secret',
  ];

  it.each(hostile)('an app name %j is rejected by validation', async value => {
    await workspace();
    const { ctx } = capturingContext({ name: value, image: IMAGE });
    await expect(
      createGitOpsAppCreateAction().handler(ctx),
    ).rejects.toMatchObject({
      name: 'InputError',
    });
  });

  it.each(hostile)(
    'an image tag %j is rejected by the OCI tag grammar',
    value => {
      expect(() =>
        setKustomizeImage('images: []\n', { name: IMAGE, newTag: value }),
      ).toThrow(/Invalid image tag/);
    },
  );

  it.each(hostile)('an image name %j is rejected', value => {
    expect(() =>
      buildGitOpsApp({
        app: 'payments-api',
        image: value,
        tag: 'v1',
        gitopsPath: 'apps/payments-api',
        strategy: 'rolling',
        environments: resolveEnvironments(['dev']),
      }),
    ).toThrow(/Invalid image repository/);
  });

  it('a digest must be sha256:<64 hex>', () => {
    expect(() =>
      setKustomizeImage('images: []\n', {
        name: IMAGE,
        digest: 'sha256:abc\nkind: Secret',
      }),
    ).toThrow(/Invalid digest/);
  });

  it('values that pass validation are written as single scalars of the intended path', () => {
    const files = buildGitOpsApp({
      app: 'payments-api',
      image: IMAGE,
      tag: 'v1.0_rc-1',
      gitopsPath: 'apps/payments-api',
      strategy: 'canary',
      environments: resolveEnvironments(['dev']),
      ingress: { domain: 'apps.example.com' },
    });
    for (const file of files) {
      const docs = file.content.split(/^---$/m);
      expect(docs).toHaveLength(1);
      expect(parseDocument(file.content).errors).toEqual([]);
    }
  });
});

describe('THREATS 3: a kustomize image edit touches only the intended path (fuzz)', () => {
  // Deterministic pseudo-random generator so failures reproduce.
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const NASTY = [
    'a: b',
    '# not a comment',
    '---',
    "'quoted'",
    '"double"',
    'line\nbreak',
    'x\u2028y',
    '{ flow: map }',
    '[1, 2]',
    '&anchor',
    '*alias',
    '!tag',
    '%',
    '@',
    '`',
  ];
  const TAGS = [
    'v1',
    '1.2.3',
    'abc_DEF-1.0',
    '3f2c1b7e9d8a6c5b4a3f2e1d0c9b8a7f6e5d4c3b',
  ];

  function kustomization(): string {
    const doc = parseDocument(
      '# header comment\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n',
    );
    doc.set('namespace', `ns-${Math.floor(random() * 100)}`);
    doc.set('resources', ['../../base', pick(NASTY)]);
    doc.set('commonAnnotations', { note: pick(NASTY), other: pick(NASTY) });
    const images = [];
    for (let i = 0; i < Math.floor(random() * 4); i++) {
      images.push({
        name: `registry.example.com/team/app-${i}`,
        newTag: pick(TAGS),
      });
    }
    if (random() < 0.8) doc.set('images', images);
    return doc.toString();
  }

  it('200 random kustomizations: only images[name] changes; hostile tags are refused', () => {
    for (let round = 0; round < 200; round++) {
      const before = kustomization();
      const name = `registry.example.com/team/app-${Math.floor(random() * 5)}`;
      const hostileTag = random() < 0.3 ? pick(NASTY) : undefined;
      const newTag = hostileTag ?? pick(TAGS);
      if (hostileTag !== undefined) {
        expect(() => setKustomizeImage(before, { name, newTag })).toThrow();
        continue;
      }
      const result = setKustomizeImage(before, { name, newTag });
      const a = parseYaml(before);
      const b = parseYaml(result.content);
      const { images: imagesBefore = [], ...restBefore } = a;
      const { images: imagesAfter, ...restAfter } = b;
      expect(restAfter).toEqual(restBefore);
      const others = (list: any[]) => list.filter(i => i.name !== name);
      expect(others(imagesAfter)).toEqual(others(imagesBefore));
      expect(imagesAfter.filter((i: any) => i.name === name)).toEqual([
        {
          ...(imagesBefore.find((i: any) => i.name === name) ?? { name }),
          newTag,
        },
      ]);
      expect(result.content.startsWith('# header comment\n')).toBe(true);
      // Idempotent: the same edit again changes nothing.
      expect(setKustomizeImage(result.content, { name, newTag })).toEqual({
        content: result.content,
        changed: false,
      });
    }
  });
});

describe('THREATS 4: template and expression injection', () => {
  const templateDir = path.join(TEMPLATES_DIR, 'service');
  const template = parseYaml(
    fs.readFileSync(path.join(templateDir, 'template.yaml'), 'utf8'),
  );
  const properties = Object.assign(
    {},
    ...template.spec.parameters.map((page: any) => page.properties),
  );

  it.each(['${{ secrets.x }}', '{{ 7*7 }}', '{% raw %}', 'a${{x}}'])(
    'the form rejects %j as a name, owner, registry or namespace (patterns)',
    value => {
      for (const key of [
        'name',
        'owner',
        'registryHost',
        'registryNamespace',
        'gitopsRepoUrl',
      ]) {
        expect(new RegExp(properties[key].pattern).test(value)).toBe(false);
      }
    },
  );

  it('free text (description) comes out literally, never rendered or evaluated', async () => {
    const description =
      'Pays ${{ secrets.GITHUB_TOKEN }} and {{ 7*7 }} ${{ 7*7 }} {% raw %} "quotes" # hash\nline';
    const dir = await workspace();
    await runTemplate({
      templateFile: path.join(templateDir, 'template.yaml'),
      workspace: dir,
      parameters: {
        name: 'payments-api',
        language: 'typescript',
        description,
        owner: 'group:default/team-payments',
        ciProvider: 'github-actions',
        repoUrl: '127.0.0.1:7101?owner=acme&repo=payments-api',
        registry: 'harbor',
        registryHost: '127.0.0.1:7103',
        registryNamespace: 'acme',
        cloudRegion: '',
        strategy: 'rolling',
        gitopsLayout: 'separate',
        gitopsRepoUrl: 'http://127.0.0.1:7101/git/acme/gitops.git',
        gitopsCommitMode: 'direct',
        previewEnvironments: false,
      },
    });
    const service = path.join(dir, 'service');
    const entity = parseYaml(
      fs.readFileSync(path.join(service, 'catalog-info.yaml'), 'utf8'),
    );
    expect(entity.metadata.description).toBe(description);
    const pkg = JSON.parse(
      fs.readFileSync(path.join(service, 'package.json'), 'utf8'),
    );
    expect(pkg.description).toBe(description);
    const workflow = fs.readFileSync(
      path.join(service, '.github/workflows/ci.yaml'),
      'utf8',
    );
    expect(workflow).not.toContain('Pays');
    expect(workflow).not.toMatch(
      /\$\{\{\s*github\.event\.[^}]*\}\}[^\n]*\n?[^\n]*run:/,
    );
    expect(fs.readFileSync(path.join(service, 'README.md'), 'utf8')).toContain(
      '${{ secrets.GITHUB_TOKEN }} and {{ 7*7 }} ${{ 7*7 }}',
    );
  });
});

describe('THREATS 5: Argo CD tenancy escape', () => {
  const config = new ConfigReader({
    slipway: {
      scaffolder: {
        argocd: {
          allowedDestinations: [
            {
              server: 'https://kubernetes.default.svc',
              namespace: 'payments-*',
            },
          ],
          allowedSourceRepos: ['https://github.com/acme/gitops.git'],
        },
      },
    },
  });
  const base = {
    name: 'payments-api',
    owner: 'group:default/team-payments',
    repoUrl: 'https://github.com/acme/gitops.git',
    image: IMAGE,
  };

  it('accepts what the allowlist allows', async () => {
    const dir = await workspace();
    const { ctx } = capturingContext(base);
    await createArgoCdAppCreateAction({ config }).handler(ctx);
    expect(listFiles(dir)).toContain('projects/team-payments.yaml');
  });

  it.each([
    ['project default', { owner: 'group:default/default' }, /project default/],
    [
      'another source repository',
      { repoUrl: 'https://github.com/evil/gitops.git' },
      /source repository/,
    ],
    [
      'a foreign destination namespace',
      { environments: [{ name: 'prod', namespace: 'billing-prod' }] },
      /destination/,
    ],
    [
      'a reserved namespace',
      { environments: [{ name: 'dev', namespace: 'kube-system' }] },
      /reserved/,
    ],
    [
      'a foreign cluster',
      { environments: [{ name: 'dev', server: 'https://evil.example.com' }] },
      /destination/,
    ],
  ])('refuses %s', async (_label, override, message) => {
    const dir = await workspace();
    const { ctx } = capturingContext({ ...base, ...override });
    await expect(
      createArgoCdAppCreateAction({ config }).handler(ctx),
    ).rejects.toThrow(message);
    expect(listFiles(dir)).toEqual([]);
  });

  it('refuses a user as owner (an AppProject belongs to a team)', async () => {
    await workspace();
    const { ctx } = capturingContext({ ...base, owner: 'user:default/guest' });
    await expect(
      createArgoCdAppCreateAction({ config }).handler(ctx),
    ).rejects.toMatchObject({
      name: 'InputError',
    });
  });
});

describe('THREATS 5: Flux tenancy escape', () => {
  const config = new ConfigReader({
    slipway: {
      scaffolder: {
        flux: {
          allowedSourceRepos: ['https://github.com/acme/gitops.git'],
          allowedTargetNamespaces: ['payments-*'],
        },
      },
    },
  });
  const base = {
    name: 'payments-api',
    owner: 'group:default/team-payments',
    repoUrl: 'https://github.com/acme/gitops.git',
  };

  it('accepts what the allowlist allows', async () => {
    const dir = await workspace();
    const { ctx } = capturingContext(base);
    await createFluxAppCreateAction({ config }).handler(ctx);
    expect(listFiles(dir)).toContain('flux/releases/payments-api/dev.yaml');
  });

  it.each([
    [
      'a cross-namespace source reference',
      { sourceNamespace: 'flux-system' },
      /Cross-namespace source references/,
    ],
    [
      'another source repository',
      { repoUrl: 'https://github.com/evil/gitops.git' },
      /source repository/,
    ],
    [
      'a target namespace outside the allowlist',
      { environments: [{ name: 'prod', namespace: 'billing-prod' }] },
      /not in the allowed target namespaces/,
    ],
    [
      'a reserved target namespace',
      { environments: [{ name: 'dev', namespace: 'kube-system' }] },
      /reserved/,
    ],
    [
      'a reserved team namespace',
      { owner: 'group:default/flux-system' },
      /team namespace flux-system is reserved/,
    ],
    ['a gitops path escaping the repository', { gitopsPath: '../x' }, /path/],
    ['a Flux path escaping the repository', { fluxPath: '/etc' }, /path/],
    ['a cluster name with a path in it', { cluster: '../../x' }, /cluster/],
    [
      'a wildcard namespace',
      { environments: [{ name: 'dev', namespace: '*' }] },
      /namespace/,
    ],
  ])(
    'refuses %s with InputError and writes nothing',
    async (_label, override, message) => {
      const dir = await workspace();
      const { ctx } = capturingContext({ ...base, ...override });
      const attempt = createFluxAppCreateAction({ config }).handler(ctx);
      await expect(attempt).rejects.toMatchObject({ name: 'InputError' });
      await expect(
        createFluxAppCreateAction({ config }).handler(ctx),
      ).rejects.toThrow(message);
      expect(listFiles(dir)).toEqual([]);
      expect(fs.readdirSync(tmp)).toEqual(['workspace']);
    },
  );
});

describe('THREATS 6, 7, 8: the GitOps commit against a real git server', () => {
  let server: TestGitServer;
  beforeEach(async () => {
    server = await startGitServer({
      token: SENTINEL,
      repos: {
        gitops: {
          'README.md': '# gitops\n',
          'apps/billing/base/kustomization.yaml':
            'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nlabels:\n  - pairs:\n      slipway.dev/app: billing\n',
          'projects/team-payments.yaml':
            '# owned by the platform team\napiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: team-payments\n  namespace: argocd\nspec:\n  sourceRepos:\n    - https://example.com/other.git\n  destinations:\n    - server: https://kubernetes.default.svc\n      namespace: other-dev\n',
        },
      },
    });
  });
  afterEach(async () => {
    await server.close();
  });

  async function scaffoldInto(dir: string, app = 'payments-api') {
    const { ctx } = capturingContext({
      name: app,
      image: IMAGE,
      targetPath: 'gitops',
    });
    await createGitOpsAppCreateAction().handler(ctx);
    const argo = capturingContext({
      name: app,
      owner: 'group:default/team-payments',
      repoUrl: server.url('gitops'),
      image: IMAGE,
      targetPath: 'gitops',
    });
    await createArgoCdAppCreateAction().handler(argo.ctx);
    return dir;
  }

  function commitContext(taskId: string, extra: Record<string, unknown> = {}) {
    return capturingContext(
      {
        repoUrl: server.url('gitops'),
        name: 'payments-api',
        sourcePath: 'gitops',
        ...extra,
      },
      { task: { id: taskId }, secrets: { gitopsToken: SENTINEL } },
    );
  }

  it('THREATS 6: a sentinel token never appears in logs, outputs, errors, dry-run results or URLs', async () => {
    const dir = await workspace();
    await scaffoldInto(dir);
    const { ctx, logs, outputs } = commitContext('task-6');
    await createGitOpsCommitAction().handler(ctx);
    expect(outputs.changed).toBe(true);
    const dry = commitContext('task-6b');
    await createGitOpsCommitAction().handler({
      ...dry.ctx,
      isDryRun: true,
    } as any);
    const failing = commitContext('task-6c', {
      repoUrl: server.url('missing'),
    });
    const error = await createGitOpsCommitAction()
      .handler(failing.ctx)
      .then(
        () => undefined,
        e => e as Error,
      );
    expect(error).toBeDefined();
    const everything = JSON.stringify([
      logs,
      outputs,
      dry.logs,
      dry.outputs,
      failing.logs,
      failing.outputs,
      error?.message,
      error?.stack,
      server.requests.map(r => r.split(' ')[1]),
    ]);
    expect(everything).not.toContain(SENTINEL);
    expect(everything).not.toContain(encodeURIComponent(SENTINEL));
    // The token did reach the server, in the Authorization header only.
    expect(server.requests.some(r => r.includes('authorization'))).toBe(true);
  });

  it('THREATS 6: a token passed as a plain input is refused, never written, never echoed (issue 10)', async () => {
    const dir = await workspace();
    await scaffoldInto(dir);
    const before = server.requests.length;
    const { ctx, logs, outputs } = commitContext('task-6d', {
      token: SENTINEL,
    });
    const error = await createGitOpsCommitAction()
      .handler(ctx)
      .then(
        () => undefined,
        e => e as Error,
      );
    expect(error?.name).toBe('InputError');
    expect(error?.message).toMatch(/task secrets \(gitopsToken\)/);
    expect(server.requests.length).toBe(before);
    expect(
      JSON.stringify([logs, outputs, error?.message, error?.stack]),
    ).not.toContain(SENTINEL);
  });

  it('THREATS 6: an integration token (config) stays out of logs and outputs too', async () => {
    const dir = await workspace();
    await scaffoldInto(dir);
    const host = new URL(server.url('gitops')).host;
    const action = createGitOpsCommitAction({
      config: new ConfigReader({
        integrations: {
          github: [
            { host, apiBaseUrl: `http://${host}/api/v3`, token: SENTINEL },
          ],
        },
      }),
    });
    const { ctx, logs, outputs } = capturingContext(
      {
        repoUrl: server.url('gitops'),
        name: 'payments-api',
        sourcePath: 'gitops',
      },
      { task: { id: 'task-6d' } },
    );
    await action.handler(ctx);
    expect(outputs.changed).toBe(true);
    expect(JSON.stringify([logs, outputs])).not.toContain(SENTINEL);
  });

  it('THREATS 7: git metadata, hooks and config shipped in the workspace are refused and never run', async () => {
    const dir = await workspace();
    await scaffoldInto(dir);
    const marker = path.join(tmp, 'hook-ran');
    const gitDir = path.join(dir, 'gitops/apps/payments-api/.git');
    await fs.promises.mkdir(path.join(gitDir, 'hooks'), { recursive: true });
    await fs.promises.writeFile(
      path.join(gitDir, 'hooks/pre-commit'),
      `#!/bin/sh\ntouch ${marker}\n`,
      { mode: 0o755 },
    );
    await fs.promises.writeFile(
      path.join(gitDir, 'config'),
      `[core]\n\tfsmonitor = touch ${marker}\n\thooksPath = .git/hooks\n`,
    );
    const { ctx } = commitContext('task-7');
    await expect(createGitOpsCommitAction().handler(ctx)).rejects.toThrow(
      /git metadata/,
    );
    expect(fs.existsSync(marker)).toBe(false);
    expect(server.log('gitops')).toHaveLength(1);
  });

  it('THREATS 7: publishing a workspace that ships hostile .git config and hooks runs none of them', async () => {
    const dir = await workspace();
    const service = path.join(dir, 'service');
    const marker = path.join(tmp, 'publish-hook-ran');
    await fs.promises.mkdir(path.join(service, '.git/hooks'), {
      recursive: true,
    });
    await fs.promises.writeFile(path.join(service, 'README.md'), '# service\n');
    await fs.promises.writeFile(
      path.join(service, '.git/HEAD'),
      'ref: refs/heads/main\n',
    );
    for (const hook of [
      'pre-commit',
      'post-commit',
      'pre-push',
      'post-checkout',
    ]) {
      await fs.promises.writeFile(
        path.join(service, '.git/hooks', hook),
        `#!/bin/sh\ntouch ${marker}\n`,
        { mode: 0o755 },
      );
    }
    await fs.promises.writeFile(
      path.join(service, '.git/config'),
      `[core]\n\tfsmonitor = touch ${marker}\n\thooksPath = .git/hooks\n[alias]\n\tcommit = !touch ${marker}\n`,
    );
    // The same isomorphic-git routine publish:github and publish:gitlab use.
    const empty = await startGitServer({
      token: SENTINEL,
      repos: { service: null },
    });
    try {
      await initRepoAndPush({
        dir: service,
        remoteUrl: empty.url('service'),
        auth: { username: 'x-access-token', password: SENTINEL },
        logger: {
          info() {},
          warn() {},
          error() {},
          debug() {},
          child() {
            return this;
          },
        } as any,
        defaultBranch: 'main',
      });
      expect(empty.log('service').map(c => c.message.trim())).toEqual([
        'Initial commit',
      ]);
    } finally {
      await empty.close();
    }
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('THREATS 8: a recovered task re-running finds its earlier commit and writes nothing', async () => {
    const dir = await workspace();
    await scaffoldInto(dir);
    const first = commitContext('task-8');
    await createGitOpsCommitAction().handler(first.ctx);
    expect(first.outputs.alreadyApplied).toBe(false);
    // The recovered run has lost its checkpoint state (crash after the push).
    const second = commitContext('task-8');
    await createGitOpsCommitAction().handler(second.ctx);
    expect(second.outputs.alreadyApplied).toBe(true);
    expect(second.outputs.commitSha).toBe(first.outputs.commitSha);
    const log = server.log('gitops');
    expect(
      log.filter(c => c.message.includes(`${SCAFFOLDER_TASK_TRAILER}: task-8`)),
    ).toHaveLength(1);
    expect(log).toHaveLength(2);
  });

  it("commits only under the app folder, merges the team AppProject and refuses another app's folder", async () => {
    const dir = await workspace();
    await scaffoldInto(dir);
    const { ctx, outputs } = commitContext('task-9');
    await createGitOpsCommitAction().handler(ctx);
    const files = outputs.files as string[];
    expect(
      files.every(
        f =>
          f.startsWith('apps/payments-api/') ||
          f === 'projects/team-payments.yaml',
      ),
    ).toBe(true);

    // A folder of another application in the GitOps repository is refused.
    await fs.promises.rm(dir, { recursive: true });
    await scaffoldInto(await workspace(), 'billing');
    const claim = capturingContext(
      {
        repoUrl: server.url('gitops'),
        name: 'payments-api',
        sourcePath: 'gitops',
        gitopsPath: 'apps/billing',
      },
      { task: { id: 'task-11' }, secrets: { gitopsToken: SENTINEL } },
    );
    await expect(createGitOpsCommitAction().handler(claim.ctx)).rejects.toThrow(
      /belongs to application billing/,
    );
  });
});
