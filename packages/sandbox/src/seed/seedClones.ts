import { Document } from 'yaml';
import { ENVIRONMENTS, GITOPS_REPO, SANDBOX_IDENTITY } from '../defaults';
import { GitRepositories } from '../git/GitRepositories';
import { artifactDigest } from '../harbor/digests';
import {
  baseFiles,
  imageRepository,
  overlayKustomization,
  serviceRepoFiles,
} from './manifests';
import { SEED_EPOCH, SEED_SERVICES, seedDate } from './world';

export interface SeedClonesOptions {
  owner: string;
  registryHost: string;
  /** How many clones to write. */
  count: number;
  /** The clone of the GitOps repository (the Applications' `repoURL`). */
  gitopsCloneUrl: string;
}

/** The seeded services deployed by Argo CD: the clones' templates, in order. */
const TEMPLATES = SEED_SERVICES.filter(
  service => (service.controller ?? 'argocd') === 'argocd',
);

/** Name of the n-th clone (0-based): `<seed service>-c<nnn>`. */
function cloneName(index: number): string {
  const template = TEMPLATES[index % TEMPLATES.length];
  return `${template.name}-c${String(index + 1).padStart(3, '0')}`;
}

function yamlText(value: unknown): string {
  return new Document(value).toString({ lineWidth: 0 });
}

/**
 * Load-test scale: `count` more services, each a copy of a seeded service's
 * shape (round-robin) with its own repository (one commit, so one CI run, one
 * Harbor artifact and one SonarQube analysis), its own base and overlays in
 * the GitOps repository (every environment on that commit) and its own Argo
 * CD Application per environment under `apps/<clone>/argocd/`, which the
 * app-of-apps creates. Written in one GitOps commit, after the seeded world.
 */
export async function seedClones(
  repos: GitRepositories,
  options: SeedClonesOptions,
): Promise<string[]> {
  const { owner, registryHost, count } = options;
  const names: string[] = [];
  const changes: Record<string, string> = {};
  for (let index = 0; index < count; index++) {
    const template = TEMPLATES[index % TEMPLATES.length];
    const name = cloneName(index);
    const service = { ...template, name };
    await repos.init(owner, name);
    const sha = await repos.commitFiles({
      owner,
      repo: name,
      branch: 'main',
      parent: undefined,
      changes: Object.entries(
        serviceRepoFiles(service, ['skeleton'], '1.0.0'),
      ).map(([path, content]) => ({ path, content })),
      message: `Initial ${name} skeleton\n`,
      author: {
        ...SANDBOX_IDENTITY,
        date: seedDate(SEED_SERVICES.length + index, 0),
      },
    });
    const image = imageRepository(registryHost, owner, name);
    const digest = artifactDigest(owner, name, sha);
    const folder = `apps/${name}`;
    for (const [file, content] of Object.entries(baseFiles(service, image))) {
      changes[`${folder}/base/${file}`] = content;
    }
    for (const env of ENVIRONMENTS) {
      changes[`${folder}/overlays/${env}/kustomization.yaml`] =
        overlayKustomization(`${name}-${env}`, {
          name: image,
          newTag: sha,
          digest: env === 'dev' ? undefined : digest,
        });
      changes[`${folder}/argocd/${name}-${env}.yaml`] = yamlText({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: {
          name: `${name}-${env}`,
          namespace: 'argocd',
          labels: {
            'slipway.dev/app': name,
            'slipway.dev/environment': env,
          },
        },
        spec: {
          project: template.project,
          source: {
            repoURL: options.gitopsCloneUrl,
            path: `${folder}/overlays/${env}`,
            targetRevision: 'main',
          },
          destination: {
            server: 'https://kubernetes.default.svc',
            namespace: `${name}-${env}`,
          },
          ...(env === 'dev' ? { syncPolicy: { automated: {} } } : {}),
        },
      });
    }
    names.push(name);
  }
  if (count > 0) {
    const head = await repos.resolveCommit(owner, GITOPS_REPO, 'main');
    await repos.commitFiles({
      owner,
      repo: GITOPS_REPO,
      branch: 'main',
      parent: head,
      changes: Object.entries(changes).map(([path, content]) => ({
        path,
        content,
      })),
      message: `Add ${count} cloned services (load-test scale)\n`,
      author: {
        ...SANDBOX_IDENTITY,
        date: new Date(SEED_EPOCH + 30 * 86_400_000).toISOString(),
      },
    });
  }
  return names;
}
