import {
  readContainedFile,
  readContainedTree,
  writeContainedFile,
} from '@slipway/plugin-slipway-node';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { readEntityDeployConfig } from '@slipway/plugin-slipway-common';
import { scaffoldedFilesEdit } from '../gitops/scaffoldedFilesEdit';
import {
  kustomizeBuild,
  listFiles,
  validateObjects,
} from '../__testUtils__/checks';
import { TEMPLATES_DIR } from '../__testUtils__/paths';
import { runTemplate, templateFile } from '../__testUtils__/templateRunner';

// Renders the Flux variants and the whole Flux layout through kubectl and the
// schema validator (a child process per check): sized for a cold, loaded
// 2-core machine.
jest.setTimeout(180_000);

const STRATEGIES = ['rolling', 'canary', 'blue-green'] as const;
const LAYOUTS = ['separate', 'in-repo'] as const;
const LANGUAGES = ['typescript', 'python', 'go'] as const;
const ENVIRONMENTS = ['dev', 'staging', 'prod'];

interface FluxVariant {
  label: string;
  strategy: (typeof STRATEGIES)[number];
  layout: (typeof LAYOUTS)[number];
  language: (typeof LANGUAGES)[number];
  ci: 'github-actions' | 'gitlab-ci';
  preview: boolean;
}

/** Every strategy × layout on Flux; language, CI and previews vary along. */
const VARIANTS: FluxVariant[] = [];
STRATEGIES.forEach((strategy, s) => {
  LAYOUTS.forEach((layout, l) => {
    const language = LANGUAGES[(s + l) % LANGUAGES.length];
    const ci = l === 0 ? 'github-actions' : 'gitlab-ci';
    const preview = s === 1;
    VARIANTS.push({
      label: `flux ${strategy} ${layout} ${language} ${ci}${
        preview ? ' previews (ignored)' : ''
      }`,
      strategy,
      layout,
      language,
      ci,
      preview,
    });
  });
});

let root: string;
beforeAll(async () => {
  root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'slipway-flux-'));
});
afterAll(async () => {
  if (!process.env.SLIPWAY_KEEP_OUTPUT) {
    await fs.promises.rm(root, { recursive: true, force: true });
  }
});

function readYaml(file: string) {
  return parseYaml(fs.readFileSync(file, 'utf8'));
}

function readDocuments(file: string): any[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map(d => d.toJS())
    .filter(Boolean);
}

/**
 * Builds the Flux layout as Flux would: the cluster entry point with
 * kustomize, then every Kustomization it yields from its `spec.path`,
 * relative to the repository root the GitRepository checks out.
 */
async function buildAsFlux(repoRoot: string, clusterDir: string) {
  const entries: { source: string; object: unknown }[] = [];
  const layout = await kustomizeBuild(path.join(repoRoot, clusterDir));
  for (const object of layout) entries.push({ source: clusterDir, object });
  const applied: Record<string, any[]> = {};
  for (const kustomization of layout.filter(
    o => o.apiVersion === 'kustomize.toolkit.fluxcd.io/v1',
  )) {
    const objects = await kustomizeBuild(
      path.join(repoRoot, kustomization.spec.path),
    );
    applied[kustomization.metadata.name] = objects;
    for (const object of objects) {
      entries.push({ source: kustomization.spec.path, object });
    }
  }
  return { layout, applied, entries };
}

describe('service template on Flux, every strategy and layout', () => {
  it.each(VARIANTS.map((v, i) => [v.label, v, i] as const))(
    '%s',
    async (_label, variant, index) => {
      const name = `flux-${index}`;
      const workspace = path.join(root, `variant-${index}`);
      await fs.promises.mkdir(workspace, { recursive: true });
      const result = await runTemplate({
        templateFile: templateFile(TEMPLATES_DIR, 'service'),
        parameters: {
          name,
          language: variant.language,
          description: 'Keeps the ledger',
          owner: 'group:default/team-payments',
          system: 'shop',
          ciProvider: variant.ci,
          repoUrl:
            variant.ci === 'github-actions'
              ? `127.0.0.1:7101?owner=acme&repo=${name}`
              : `gitlab.com?owner=acme&repo=${name}`,
          registry: 'harbor',
          registryHost: '127.0.0.1:7103',
          registryNamespace: 'acme',
          cloudRegion: '',
          strategy: variant.strategy,
          gitopsController: 'flux',
          gitopsLayout: variant.layout,
          gitopsRepoUrl: 'http://127.0.0.1:7101/git/acme/gitops.git',
          gitopsCommitMode: 'direct',
          previewEnvironments: variant.preview,
        },
        workspace,
      });
      const inRepo = variant.layout === 'in-repo';
      const repoRoot = path.join(workspace, inRepo ? 'service' : 'gitops');
      const gitopsPath = inRepo ? 'gitops' : `apps/${name}`;
      const fluxPath = inRepo ? 'gitops/flux' : 'flux';
      const workloadKind =
        variant.strategy === 'rolling' ? 'Deployment' : 'Rollout';
      const problems: string[] = [];

      // The catalog entry selects the Flux objects, not Argo CD's.
      const entity = readYaml(
        path.join(workspace, 'service', 'catalog-info.yaml'),
      );
      const annotations = entity.metadata.annotations;
      expect(annotations['slipway.dev/flux-selector']).toBe(
        `slipway.dev/app=${name}`,
      );
      expect(annotations['argocd/app-selector']).toBeUndefined();
      problems.push(
        ...readEntityDeployConfig(entity, {
          environments: ENVIRONMENTS.map(env => ({
            name: env,
            syncMode: env === 'dev' ? ('auto' as const) : ('manual' as const),
          })),
        })
          .annotations.filter(a => a.problem)
          .map(a => `annotation ${a.annotation}: ${a.problem}`),
      );

      // No Argo CD objects; previews (an ApplicationSet) are Argo CD only.
      expect(fs.existsSync(path.join(repoRoot, gitopsPath, 'argocd'))).toBe(
        false,
      );
      expect(
        fs.existsSync(
          path.join(repoRoot, inRepo ? 'gitops/projects' : 'projects'),
        ),
      ).toBe(false);
      expect(
        fs.existsSync(path.join(repoRoot, gitopsPath, 'overlays', 'preview')),
      ).toBe(false);
      const skipped = Object.entries(result.steps)
        .filter(([, step]) => step.skipped)
        .map(([id]) => id)
        .sort();
      expect(skipped).toEqual(
        variant.ci === 'github-actions'
          ? ['argocd', 'fetch-ci-gitlab', 'publish-gitlab', 'secrets']
          : ['argocd', 'fetch-ci-github', 'publish-github', 'secrets'],
      );

      // The files written, each validated on its own.
      const fluxFiles = listFiles(path.join(repoRoot, fluxPath));
      expect(fluxFiles).toEqual([
        'clusters/default/kustomization.yaml',
        `releases/${name}/dev.yaml`,
        `releases/${name}/kustomization.yaml`,
        `releases/${name}/prod.yaml`,
        `releases/${name}/staging.yaml`,
        `sources/team-payments/${name}.yaml`,
        'sources/team-payments/gitrepository.yaml',
        'sources/team-payments/kustomization.yaml',
        'sources/team-payments/namespace.yaml',
        'sources/team-payments/serviceaccount.yaml',
      ]);
      const entries: { source: string; object: unknown }[] = [];
      for (const file of fluxFiles.filter(
        f => !f.endsWith('/kustomization.yaml'),
      )) {
        for (const object of readDocuments(
          path.join(repoRoot, fluxPath, file),
        )) {
          entries.push({ source: file, object });
        }
      }

      // Every overlay renders.
      for (const env of ENVIRONMENTS) {
        const objects = await kustomizeBuild(
          path.join(repoRoot, gitopsPath, 'overlays', env),
        );
        expect(objects.some(o => o.kind === workloadKind)).toBe(true);
        for (const object of objects) {
          entries.push({ source: `overlay ${env}`, object });
        }
      }

      // The layout renders as a whole from the repository root, the way
      // kustomize-controller builds it.
      const {
        layout,
        applied,
        entries: built,
      } = await buildAsFlux(repoRoot, `${fluxPath}/clusters/default`);
      entries.push(...built);
      expect(layout.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
        [
          `GitRepository/${inRepo ? name : 'gitops'}`,
          ...ENVIRONMENTS.map(env => `Kustomization/${name}-${env}`),
          'Namespace/team-payments',
          ...ENVIRONMENTS.map(env => `Namespace/${name}-${env}`),
          ...ENVIRONMENTS.map(() => 'RoleBinding/flux-reconciler'),
          'ServiceAccount/flux-reconciler',
        ].sort(),
      );
      expect(layout.some(o => /Cluster/.test(o.kind))).toBe(false);
      const source = layout.find(o => o.kind === 'GitRepository');
      expect(source.metadata.namespace).toBe('team-payments');
      expect(source.spec.url).toBe(
        inRepo
          ? `http://${
              variant.ci === 'github-actions' ? '127.0.0.1:7101' : 'gitlab.com'
            }/git/acme/${name}.git`
          : 'http://127.0.0.1:7101/git/acme/gitops.git',
      );
      for (const env of ENVIRONMENTS) {
        const kustomization = layout.find(
          o =>
            o.kind === 'Kustomization' && o.metadata.name === `${name}-${env}`,
        );
        expect(kustomization.metadata.labels).toEqual({
          'slipway.dev/app': name,
          'slipway.dev/environment': env,
        });
        expect(kustomization.spec).toMatchObject({
          interval: env === 'dev' ? '1m' : '24h',
          path: `./${gitopsPath}/overlays/${env}`,
          sourceRef: { kind: 'GitRepository', name: source.metadata.name },
          targetNamespace: `${name}-${env}`,
          serviceAccountName: 'flux-reconciler',
          prune: true,
        });
        expect(kustomization.spec.sourceRef.namespace).toBeUndefined();
        const [check] = kustomization.spec.healthChecks;
        expect(check).toMatchObject({
          kind: workloadKind,
          name,
          namespace: `${name}-${env}`,
        });
        // What the Kustomization applies lands in its target namespace and
        // holds the health-checked workload.
        const objects = applied[`${name}-${env}`];
        for (const object of objects) {
          expect(object.metadata.namespace).toBe(`${name}-${env}`);
        }
        expect(
          objects.some(o => o.kind === check.kind && o.metadata.name === name),
        ).toBe(true);
        const binding = layout.find(
          o =>
            o.kind === 'RoleBinding' &&
            o.metadata.namespace === `${name}-${env}`,
        );
        expect(binding.roleRef.name).toBe('admin');
        expect(binding.subjects).toEqual([
          {
            kind: 'ServiceAccount',
            name: 'flux-reconciler',
            namespace: 'team-payments',
          },
        ]);
      }

      problems.push(...(await validateObjects(entries)));

      // The commit step carries the Flux tree (separate layout) or finds it
      // under the app folder (in-repo).
      const commit = result.steps['gitops-commit'].input;
      expect(commit.extraPaths).toEqual(inRepo ? [] : ['flux']);
      expect(commit.gitopsPath).toBe(gitopsPath);
      expect(result.steps.flux.output.fluxSelector).toBe(
        `slipway.dev/app=${name}`,
      );

      expect(problems).toEqual([]);
    },
  );
});

/** A GitOps gateway tree view over a local folder. */
function localTree(dir: string) {
  return {
    head: '0'.repeat(40),
    branch: 'main',
    attempt: 1,
    readFile: (file: string) => readContainedFile(dir, file),
    readTree: (folder: string) => readContainedTree(dir, folder),
  };
}

describe('GitOps repository template on Flux', () => {
  it('renders the cluster entry point, and a scaffolded service committed into it renders as a whole', async () => {
    const repo = path.join(root, 'gitops-repository-flux');
    await fs.promises.mkdir(repo, { recursive: true });
    const run = await runTemplate({
      templateFile: templateFile(TEMPLATES_DIR, 'gitops-repository'),
      parameters: {
        name: 'gitops',
        description: 'GitOps',
        owner: 'group:default/platform-admins',
        gitopsController: 'flux',
        argocdNamespace: 'argocd',
        fluxCluster: 'sandbox',
        repoUrl: '127.0.0.1:7101?owner=acme&repo=gitops',
      },
      workspace: repo,
    });
    expect(run.steps['fetch-argocd'].skipped).toBe(true);
    expect(listFiles(repo)).toEqual([
      'README.md',
      'apps/.gitkeep',
      'catalog-info.yaml',
      'docs/index.md',
      'flux/clusters/sandbox/flux-system/kustomization.yaml',
      'flux/clusters/sandbox/kustomization.yaml',
      'flux/releases/.gitkeep',
      'flux/sources/.gitkeep',
      'mkdocs.yml',
    ]);
    expect(
      await kustomizeBuild(path.join(repo, 'flux/clusters/sandbox')),
    ).toEqual([]);
    const entity = readYaml(path.join(repo, 'catalog-info.yaml'));
    expect(entity.metadata.tags).toEqual(['gitops', 'flux']);
    expect(fs.readFileSync(path.join(repo, 'README.md'), 'utf8')).toContain(
      'Flux deploys what is written here',
    );

    // Two services of one team scaffolded and committed the way
    // slipway:gitops:commit does (the same edit callback over the tree).
    for (const name of ['ledger-api', 'ledger-worker']) {
      const workspace = path.join(root, `service-${name}`);
      await fs.promises.mkdir(workspace, { recursive: true });
      await runTemplate({
        templateFile: templateFile(TEMPLATES_DIR, 'service'),
        parameters: {
          name,
          language: 'typescript',
          description: '',
          owner: 'group:default/team-payments',
          ciProvider: 'github-actions',
          repoUrl: `127.0.0.1:7101?owner=acme&repo=${name}`,
          registry: 'harbor',
          registryHost: '127.0.0.1:7103',
          registryNamespace: 'acme',
          cloudRegion: '',
          strategy: 'rolling',
          gitopsController: 'flux',
          gitopsLayout: 'separate',
          gitopsRepoUrl: 'http://127.0.0.1:7101/git/acme/gitops.git',
          gitopsCommitMode: 'direct',
          previewEnvironments: false,
        },
        workspace,
      });
      const source = path.join(workspace, 'gitops');
      // The action's cluster defaults to `default` without config; the
      // portal's config names the cluster (slipway.flux.clusters).
      await fs.promises.rename(
        path.join(source, 'flux/clusters/default'),
        path.join(source, 'flux/clusters/sandbox'),
      );
      const files = [
        ...(await readContainedTree(source, `apps/${name}`)),
        ...(await readContainedTree(source, 'flux')),
      ];
      const edit = scaffoldedFilesEdit({
        files,
        allowedPaths: [`apps/${name}`, 'flux'],
        app: name,
        appFolder: `apps/${name}`,
      });
      const { write = [] } = await edit(localTree(repo));
      for (const file of write) {
        await writeContainedFile(repo, file.path, file.content);
      }
    }

    const cluster = fs.readFileSync(
      path.join(repo, 'flux/clusters/sandbox/kustomization.yaml'),
      'utf8',
    );
    expect(cluster).toContain('# Entry point of cluster sandbox');
    expect(parseYaml(cluster).resources).toEqual([
      'flux-system',
      '../../sources/team-payments',
      '../../releases/ledger-api',
      '../../releases/ledger-worker',
    ]);
    const { layout, applied, entries } = await buildAsFlux(
      repo,
      'flux/clusters/sandbox',
    );
    expect(
      layout.filter(o => o.kind === 'GitRepository').map(o => o.metadata.name),
    ).toEqual(['gitops']);
    expect(Object.keys(applied).sort()).toEqual(
      ['ledger-api', 'ledger-worker']
        .flatMap(app => ENVIRONMENTS.map(env => `${app}-${env}`))
        .sort(),
    );
    expect(layout.filter(o => o.kind === 'RoleBinding')).toHaveLength(6);
    expect(await validateObjects(entries)).toEqual([]);
  });
});
