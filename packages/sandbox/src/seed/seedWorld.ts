import { ENVIRONMENTS, GITOPS_REPO, SANDBOX_IDENTITY } from '../defaults';
import { GitRepositories } from '../git/GitRepositories';
import { fluxLayoutFiles, seedGitopsUrl } from '../flux/fluxLayout';
import { artifactDigest } from '../harbor/digests';
import {
  baseFiles,
  imageRepository,
  overlayKustomization,
  serviceRepoFiles,
  setKustomizeImage,
} from './manifests';
import { SEED_EPOCH, SEED_SERVICES, seedDate } from './world';

export interface SeedWorldOptions {
  owner: string;
  registryHost: string;
}

const DAY = 86_400_000;

/** Whether the data dir holds no repositories yet. */
export function needsSeed(repos: GitRepositories): boolean {
  return repos.list().length === 0;
}

/** Writes a seeded service's repository; returns its commit SHAs, oldest first. */
async function seedServiceRepository(
  repos: GitRepositories,
  owner: string,
  serviceIndex: number,
): Promise<string[]> {
  const service = SEED_SERVICES[serviceIndex];
  await repos.init(owner, service.name);
  const shas: string[] = [];
  let parent: string | undefined = undefined;
  for (const [commitIndex, commit] of service.commits.entries()) {
    const features = service.commits
      .slice(0, commitIndex + 1)
      .map(c => c.feature);
    const files = serviceRepoFiles(service, features, `1.${commitIndex}.0`);
    const identity = {
      ...SANDBOX_IDENTITY,
      date: seedDate(serviceIndex, commitIndex),
    };
    const sha: string = await repos.commitFiles({
      owner,
      repo: service.name,
      branch: 'main',
      parent,
      changes: Object.entries(files).map(([path, content]) => ({
        path,
        content,
      })),
      message: `${commit.subject}\n`,
      author: identity,
    });
    shas.push(sha);
    parent = sha;
  }
  return shas;
}

/**
 * A data dir seeded before a service joined the seed (ledger-api, the
 * service on Flux) gets it on the next start: its repository with the
 * seeded commits, and one GitOps commit with its base, its overlays at the
 * seeded environments and, for a service on Flux, the Flux layout. Returns
 * the names of the services added.
 */
export async function seedMissingServices(
  repos: GitRepositories,
  options: SeedWorldOptions,
): Promise<string[]> {
  const { owner, registryHost } = options;
  const head = await repos.resolveCommit(owner, GITOPS_REPO, 'main');
  if (!head) return [];
  const added: string[] = [];
  const fluxServices = SEED_SERVICES.filter(s => s.controller === 'flux');
  for (const [serviceIndex, service] of SEED_SERVICES.entries()) {
    if (repos.exists(owner, service.name)) continue;
    const shas = await seedServiceRepository(repos, owner, serviceIndex);
    const image = imageRepository(registryHost, owner, service.name);
    const folder = `apps/${service.name}`;
    const changes: Record<string, string> = {};
    for (const [file, content] of Object.entries(baseFiles(service, image))) {
      changes[`${folder}/base/${file}`] = content;
    }
    for (const env of ENVIRONMENTS) {
      const index = service.environments[env];
      changes[`${folder}/overlays/${env}/kustomization.yaml`] =
        overlayKustomization(`${service.name}-${env}`, {
          name: image,
          newTag: shas[index],
          digest:
            env === 'dev'
              ? undefined
              : artifactDigest(
                  owner,
                  service.name,
                  shas[index],
                  service.commits[index]?.multiArch,
                ),
        });
    }
    if (service.controller === 'flux') {
      Object.assign(
        changes,
        fluxLayoutFiles({
          services: fluxServices,
          gitopsUrl: seedGitopsUrl(owner, GITOPS_REPO),
        }),
      );
    }
    await repos.commitFiles({
      owner,
      repo: GITOPS_REPO,
      branch: 'main',
      parent: (await repos.resolveCommit(owner, GITOPS_REPO, 'main')) ?? head,
      changes: Object.entries(changes).map(([path, content]) => ({
        path,
        content,
      })),
      message: `Add ${service.name} (joined the sandbox seed)\n`,
      author: SANDBOX_IDENTITY,
    });
    added.push(service.name);
  }
  return added;
}

/**
 * Writes the seeded world: one bare repository per service with a few
 * commits, and the GitOps repository whose overlays point at them. Fixed
 * identities and dates make every SHA deterministic.
 */
export async function seedWorld(
  repos: GitRepositories,
  options: SeedWorldOptions,
): Promise<void> {
  const { owner, registryHost } = options;
  const commitShas = new Map<string, string[]>();

  for (const [serviceIndex, service] of SEED_SERVICES.entries()) {
    commitShas.set(
      service.name,
      await seedServiceRepository(repos, owner, serviceIndex),
    );
  }

  await repos.init(owner, GITOPS_REPO);
  let head: string | undefined = undefined;
  let sequence = 0;
  const rounds = Math.max(...SEED_SERVICES.map(s => s.commits.length));
  const overlays = new Map<string, string>();
  // Services on Flux: their Kustomizations and the team sources are added
  // with the first one's base and overlays.
  const fluxServices = SEED_SERVICES.filter(s => s.controller === 'flux');
  let fluxLayout: Record<string, string> | undefined =
    fluxServices.length > 0
      ? fluxLayoutFiles({
          services: fluxServices,
          gitopsUrl: seedGitopsUrl(owner, GITOPS_REPO),
        })
      : undefined;

  const write = async (
    changes: Record<string, string>,
    message: string,
    round: number,
  ) => {
    const date = new Date(
      SEED_EPOCH + round * DAY + 12 * 3_600_000 + sequence * 600_000,
    ).toISOString();
    sequence += 1;
    head = await repos.commitFiles({
      owner,
      repo: GITOPS_REPO,
      branch: 'main',
      parent: head,
      changes: Object.entries(changes).map(([path, content]) => ({
        path,
        content,
      })),
      message: `${message}\n`,
      author: { ...SANDBOX_IDENTITY, date },
    });
  };

  for (let round = 0; round < rounds; round++) {
    for (const service of SEED_SERVICES) {
      const shas = commitShas.get(service.name) ?? [];
      const image = imageRepository(registryHost, owner, service.name);
      const commit = service.commits[round];
      if (!commit || commit.ci !== 'success') {
        continue;
      }
      const sha = shas[round];
      const digest = artifactDigest(owner, service.name, sha, commit.multiArch);
      const folder = `apps/${service.name}`;
      if (round === 0) {
        const changes: Record<string, string> = {};
        for (const [file, content] of Object.entries(
          baseFiles(service, image),
        )) {
          changes[`${folder}/base/${file}`] = content;
        }
        for (const env of ENVIRONMENTS) {
          const path = `${folder}/overlays/${env}/kustomization.yaml`;
          const content = overlayKustomization(`${service.name}-${env}`, {
            name: image,
            newTag: sha,
            digest: env === 'dev' ? undefined : digest,
          });
          changes[path] = content;
          overlays.set(path, content);
        }
        if (service.controller === 'flux' && fluxLayout) {
          Object.assign(changes, fluxLayout);
          fluxLayout = undefined;
          await write(
            changes,
            `Add ${service.name} base, overlays and Flux releases`,
            round,
          );
          continue;
        }
        await write(changes, `Add ${service.name} base and overlays`, round);
        continue;
      }
      for (const env of ENVIRONMENTS) {
        if (service.environments[env] < round) {
          continue;
        }
        const path = `${folder}/overlays/${env}/kustomization.yaml`;
        const content = setKustomizeImage(overlays.get(path) ?? '', image, {
          newTag: sha,
          digest: env === 'dev' ? undefined : digest,
        });
        overlays.set(path, content);
        const message =
          env === 'dev'
            ? `Deploy ${service.name} ${sha.slice(0, 7)} to dev`
            : `Promote ${service.name} ${sha.slice(0, 7)} to ${env}`;
        await write({ [path]: content }, message, round);
      }
    }
  }
}
