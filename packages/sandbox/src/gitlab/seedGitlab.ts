import {
  ENVIRONMENTS,
  GITLAB_GITOPS_PROJECT,
  SANDBOX_IDENTITY,
} from '../defaults';
import { GitRepositories } from '../git/GitRepositories';
import { artifactDigest } from '../harbor/digests';
import {
  baseFiles,
  imageRepository,
  overlayKustomization,
} from '../seed/manifests';
import { findSeedService, SEED_EPOCH } from '../seed/world';

/** The service whose GitOps folder the GitLab-side repository holds. */
export const GITLAB_SEED_SERVICE = 'payments-api';

/**
 * Seeds the GitLab side: one GitOps project, `<owner>/gitops-gl`, with the
 * same layout as `<owner>/gitops` for one service (`apps/payments-api/base`
 * and its dev/staging/prod overlays at the commits the GitHub-side GitOps
 * repository ends at). One commit with a fixed identity and date, so its SHA
 * is deterministic.
 */
export async function seedGitlab(
  repos: GitRepositories,
  options: {
    owner: string;
    registryHost: string;
    /** The service repository's commits, oldest first (from the GitHub side). */
    serviceShas: string[];
  },
): Promise<void> {
  const { owner, registryHost, serviceShas } = options;
  const service = findSeedService(GITLAB_SEED_SERVICE);
  if (!service) throw new Error(`no seeded service ${GITLAB_SEED_SERVICE}`);
  const image = imageRepository(registryHost, owner, service.name);
  const folder = `apps/${service.name}`;
  const changes: Record<string, string> = {};
  for (const [file, content] of Object.entries(baseFiles(service, image))) {
    changes[`${folder}/base/${file}`] = content;
  }
  for (const env of ENVIRONMENTS) {
    const index = service.environments[env];
    const sha = serviceShas[index] ?? `seed-${index}`;
    changes[`${folder}/overlays/${env}/kustomization.yaml`] =
      overlayKustomization(`${service.name}-${env}`, {
        name: image,
        newTag: sha,
        digest:
          env === 'dev'
            ? undefined
            : artifactDigest(
                owner,
                service.name,
                sha,
                service.commits[index]?.multiArch,
              ),
      });
  }
  await repos.init(owner, GITLAB_GITOPS_PROJECT);
  await repos.commitFiles({
    owner,
    repo: GITLAB_GITOPS_PROJECT,
    branch: 'main',
    parent: undefined,
    changes: Object.entries(changes).map(([path, content]) => ({
      path,
      content,
    })),
    message: `Add ${service.name} base and overlays\n`,
    author: {
      ...SANDBOX_IDENTITY,
      date: new Date(SEED_EPOCH + 12 * 3_600_000).toISOString(),
    },
  });
}
