import {
  APP_LABEL,
  ArtifactState,
  artifactsScope,
  BuildRun,
  ciScope,
  DELIVERY_SCOPE,
  deliveryAppScope,
  deliveryApplicationScope,
  EntityDeployConfig,
  gitopsScopeOfUrl,
  ImageRef,
  QualityGate,
  qualityScope,
  repoKey,
  RolloutState,
  SourceReport,
} from '@slipway/plugin-slipway-common';
import {
  ArtifactProvider,
  CiProvider,
  DeliveryApplication,
  DeliveryProvider,
  GitOpsChange,
  GitOpsReaderProvider,
  GitOpsSnapshot,
  QualityProvider,
} from '@slipway/plugin-slipway-node';
import crypto from 'node:crypto';
import { deliveryProviderFor, deliverySelection } from './deliveryProviderFor';
import { parseSelector } from './matchSelector';
import { SourceCache, SourceResult, SourceSpec } from './SourceCache';

/** The providers the state is read from, by kind. */
export interface StateProviders {
  gitops: GitOpsReaderProvider[];
  delivery: DeliveryProvider[];
  ci: CiProvider[];
  artifacts: ArtifactProvider[];
  quality: QualityProvider[];
}

/** The overlays at the head, and the last commit that changed each. */
export interface HeadOverlays extends GitOpsSnapshot {
  /** By position of the requested paths. */
  lastChanges: (GitOpsChange | undefined)[];
}

/** Overlay folder tree ids by revision, then by path. */
export type TreesAt = Record<string, Record<string, string | undefined>>;

const CI_RUNS = 20;
const ARTIFACTS = 30;
const HISTORY_PER_SOURCE = 200;
/** A tree at a revision never changes; keys carry the head, so a fetch re-asks. */
const TREES_AT_TTL_MS = 86_400_000;
/** More distinct live revisions than this per repository read as not deployed. */
const MAX_REVISIONS = 50;

function unconfigured(
  source: string,
  kind: SourceReport['kind'],
  message: string,
): SourceResult<never> {
  return { report: { source, kind, status: 'unconfigured', message } };
}

/** A short stable digest of a set of strings, for cache keys. */
function digestOf(values: string[]): string {
  return crypto
    .createHash('sha256')
    .update([...values].sort().join('\n'))
    .digest('base64url')
    .slice(0, 24);
}

/**
 * The newest pushed artifact that has a scan: whose scan the fleet shows
 * (and the only artifact its summary of an artifact list keeps).
 */
export function newestScannedArtifact(
  artifacts: ArtifactState[],
): ArtifactState | undefined {
  let newest: ArtifactState | undefined;
  for (const artifact of artifacts) {
    if (!artifact.scan) continue;
    if (!newest || (artifact.pushedAt ?? '') > (newest.pushedAt ?? '')) {
      newest = artifact;
    }
  }
  return newest;
}

/**
 * Reads every upstream source through the cache: one method per read, each
 * naming its scope and key, each answering with a report (`unconfigured`
 * when the entity or the portal lacks what the read needs).
 */
export class StateSources {
  static create(options: {
    providers: StateProviders;
    cache: SourceCache;
  }): StateSources {
    return new StateSources(options.providers, options.cache);
  }

  private constructor(
    private readonly providers: StateProviders,
    private readonly cache: SourceCache,
  ) {}

  gitopsReader(repoUrl: string): GitOpsReaderProvider | undefined {
    return this.providers.gitops.find(p => p.supports(repoUrl));
  }

  /** An Argo CD instance by name (default: the first); never a Flux cluster. */
  deliveryProvider(instance?: string): DeliveryProvider | undefined {
    return deliveryProviderFor(this.providers.delivery, {
      argocd: { instance },
    });
  }

  /** The delivery provider of an entity: its Flux cluster or Argo CD instance. */
  deliveryProviderFor(
    config: Pick<EntityDeployConfig, 'argocd' | 'flux'>,
  ): DeliveryProvider | undefined {
    return deliveryProviderFor(this.providers.delivery, config);
  }

  /** The overlays of the entity's environments at the head, with their last changes. */
  readHeadOverlays(
    config: EntityDeployConfig,
    paths: string[],
    fresh?: boolean,
  ): Promise<SourceResult<HeadOverlays>> {
    const gitops = config.gitops;
    if (!gitops) {
      return Promise.resolve(
        unconfigured(
          'gitops',
          'gitops',
          'slipway.dev/gitops-repo or gitops-path missing',
        ),
      );
    }
    const reader = this.gitopsReader(gitops.repo);
    if (!reader) {
      return Promise.resolve(
        unconfigured(
          'gitops',
          'gitops',
          'No reader for this GitOps repository',
        ),
      );
    }
    const repoUrl = gitops.repo;
    return this.cache.run(
      {
        source: reader.id,
        kind: 'gitops',
        scope: gitopsScopeOfUrl(repoUrl),
        key: `overlays:${repoKey(repoUrl)}:${paths.join(',')}:${
          config.image ?? ''
        }`,
        fresh,
      },
      async ctx => {
        // In parallel: the reader refreshes the repository once for both.
        const [snapshot, lastChanges] = await Promise.all([
          reader.readOverlays(
            {
              repoUrl,
              paths: paths.map(path => ({ path, imageName: config.image })),
            },
            ctx,
          ),
          this.lastChanges(reader, repoUrl, paths, ctx),
        ]);
        return {
          revision: snapshot.revision,
          overlays: snapshot.overlays,
          lastChanges,
        };
      },
    );
  }

  private lastChanges(
    reader: GitOpsReaderProvider,
    repoUrl: string,
    paths: string[],
    ctx: { signal: AbortSignal },
  ): Promise<(GitOpsChange | undefined)[]> {
    if (reader.lastChanges) {
      return reader
        .lastChanges({ repoUrl, paths }, ctx)
        .then(byPath => paths.map(path => byPath[path]));
    }
    return Promise.all(
      paths.map(path =>
        reader
          .history({ repoUrl, path, limit: 1, withImages: false }, ctx)
          .then(changes => changes[0]),
      ),
    );
  }

  /**
   * The overlay folders' tree ids at revisions other than the head (Argo
   * CD's live revisions), in one read per repository: the fact the
   * "deployed" rule compares with the head's tree ids.
   */
  async readTreesAt(
    request: {
      repoUrl: string;
      paths: string[];
      head: string;
      revisions: string[];
    },
    fresh?: boolean,
  ): Promise<SourceResult<TreesAt> | undefined> {
    const reader = this.gitopsReader(request.repoUrl);
    const revisions = [...new Set(request.revisions)]
      .filter(r => r !== request.head)
      .sort()
      .slice(0, MAX_REVISIONS);
    if (!reader || revisions.length === 0 || request.paths.length === 0) {
      return undefined;
    }
    const paths = request.paths.map(path => ({ path }));
    return this.cache.run(
      {
        source: reader.id,
        kind: 'gitops',
        scope: gitopsScopeOfUrl(request.repoUrl),
        key: `trees-at:${repoKey(request.repoUrl)}:${request.head}:${digestOf(
          request.paths,
        )}:${digestOf(revisions)}`,
        fresh,
        ttlMs: TREES_AT_TTL_MS,
      },
      async ctx =>
        (
          await reader.readOverlays(
            { repoUrl: request.repoUrl, paths, revisions },
            ctx,
          )
        ).treesAt ?? {},
    );
  }

  /** The overlays of many entities in one repository (the fleet), at the head. */
  readRepositoryOverlays(
    repoUrl: string,
    paths: { path: string; imageName?: string }[],
  ): Promise<SourceResult<GitOpsSnapshot>> | undefined {
    const reader = this.gitopsReader(repoUrl);
    if (!reader) return undefined;
    return this.cache.run(
      {
        source: reader.id,
        kind: 'gitops',
        scope: gitopsScopeOfUrl(repoUrl),
        key: `fleet:${repoKey(repoUrl)}:${digestOf(
          paths.map(p => `${p.path}|${p.imageName ?? ''}`),
        )}`,
      },
      ctx => reader.readOverlays({ repoUrl, paths }, ctx),
    );
  }

  /**
   * The last commit that changed each of many overlays of one repository
   * (the fleet), at the head, in one read; only from readers that answer
   * it in one batch (else `undefined`: never one read per overlay).
   */
  readRepositoryLastChanges(
    repoUrl: string,
    paths: string[],
  ):
    | Promise<SourceResult<Record<string, GitOpsChange | undefined>>>
    | undefined {
    const reader = this.gitopsReader(repoUrl);
    if (!reader?.lastChanges || paths.length === 0) return undefined;
    return this.cache.run(
      {
        source: reader.id,
        kind: 'gitops',
        scope: gitopsScopeOfUrl(repoUrl),
        key: `fleet-changes:${repoKey(repoUrl)}:${digestOf(paths)}`,
      },
      ctx => reader.lastChanges!({ repoUrl, paths }, ctx),
    );
  }

  /** The commits that changed one overlay, newest first, with their images. */
  readOverlayHistory(
    config: EntityDeployConfig,
    path: string,
  ): Promise<SourceResult<GitOpsChange[]>> | undefined {
    const gitops = config.gitops;
    const reader = gitops ? this.gitopsReader(gitops.repo) : undefined;
    if (!gitops || !reader) return undefined;
    return this.cache.run(
      {
        source: reader.id,
        kind: 'gitops',
        scope: gitopsScopeOfUrl(gitops.repo),
        key: `history:${repoKey(gitops.repo)}:${path}:${config.image ?? ''}`,
      },
      ctx =>
        reader.history(
          {
            repoUrl: gitops.repo,
            path,
            imageName: config.image,
            limit: HISTORY_PER_SOURCE,
          },
          ctx,
        ),
    );
  }

  /** The entity's Argo CD Applications (or Flux objects), by selector or by name. */
  readApplications(
    config: EntityDeployConfig,
    fresh?: boolean,
  ): Promise<SourceResult<DeliveryApplication[]>> {
    const argocd = deliverySelection(config);
    if (!argocd) {
      return Promise.resolve(
        unconfigured(
          'argocd',
          'delivery',
          'argocd/app-selector or argocd/app-name missing',
        ),
      );
    }
    const provider = this.deliveryProviderFor(config);
    if (!provider) {
      return Promise.resolve(
        config.flux
          ? unconfigured(
              `flux:${argocd.instance ?? 'default'}`,
              'delivery',
              'No Flux cluster configured for this entity',
            )
          : unconfigured(
              `argocd:${argocd.instance ?? 'default'}`,
              'delivery',
              'No Argo CD instance configured for this entity',
            ),
      );
    }
    const spec = {
      source: provider.id,
      kind: 'delivery' as const,
      fresh,
    };
    if (argocd.appSelector) {
      const selector = argocd.appSelector;
      // A webhook naming one app invalidates only the entities that read it.
      const app = parseSelector(selector).find(
        t => t.key === APP_LABEL && t.value,
      )?.value;
      return this.cache.run(
        {
          ...spec,
          scope: app ? deliveryAppScope(app) : DELIVERY_SCOPE,
          key: `apps:${provider.id}:${selector}`,
        },
        ctx => provider.listApplications(selector, ctx),
      );
    }
    const name = argocd.appName!;
    return this.cache.run(
      {
        ...spec,
        scope: deliveryApplicationScope(name),
        key: `app:${provider.id}:${name}`,
      },
      async ctx => {
        const app = await provider.getApplication(name, ctx);
        return app ? [app] : [];
      },
    );
  }

  /** Every Application of one Argo CD instance carrying a label (the fleet). */
  readAllApplications(
    provider: DeliveryProvider,
    label: string,
  ): Promise<SourceResult<DeliveryApplication[]>> {
    return this.cache.run(
      {
        source: provider.id,
        kind: 'delivery',
        scope: DELIVERY_SCOPE,
        key: `fleet:${provider.id}`,
      },
      ctx => provider.listApplications(label, ctx),
    );
  }

  /** The rollout an Application manages. */
  readRollout(
    application: string,
    instance: string,
    fresh?: boolean,
  ): Promise<SourceResult<RolloutState | undefined>> | undefined {
    const provider = this.deliveryProvider(instance);
    if (!provider) return undefined;
    return this.cache.run(
      {
        source: provider.id,
        kind: 'delivery',
        scope: deliveryApplicationScope(application),
        key: `rollout:${provider.id}:${application}`,
        fresh,
      },
      ctx => provider.getRollout(application, ctx),
    );
  }

  /** The cached CI runs and artifacts of an entity, without upstream reads (the fleet). */
  async peekBuildFacts(config: EntityDeployConfig): Promise<{
    runs?: SourceResult<BuildRun[]>;
    artifacts?: SourceResult<ArtifactState[]>;
  }> {
    return (await this.peekManyBuildFacts([config]))[0];
  }

  /** `peekBuildFacts` of many entities in one batch peek of the cache. */
  async peekManyBuildFacts(configs: EntityDeployConfig[]): Promise<
    {
      runs?: SourceResult<BuildRun[]>;
      artifacts?: SourceResult<ArtifactState[]>;
    }[]
  > {
    const specs: SourceSpec[] = [];
    const positions = configs.map(config => {
      const runs = this.runsSpec(config);
      const artifacts = this.artifactsListSpec(config);
      return {
        runs: runs ? specs.push(runs) - 1 : undefined,
        artifacts: artifacts ? specs.push(artifacts) - 1 : undefined,
      };
    });
    // The summaries (newest run, newest scanned artifact) stored beside
    // each answer: what the fleet's markers need, not whole lists.
    const results = await this.cache.peekMany<unknown>(specs, {
      summaries: true,
    });
    return positions.map(at => ({
      runs:
        at.runs === undefined
          ? undefined
          : (results[at.runs] as SourceResult<BuildRun[]> | undefined),
      artifacts:
        at.artifacts === undefined
          ? undefined
          : (results[at.artifacts] as
              | SourceResult<ArtifactState[]>
              | undefined),
    }));
  }

  /** Recent CI runs of the source repository. */
  readRuns(
    config: EntityDeployConfig,
    fresh?: boolean,
  ): Promise<SourceResult<BuildRun[]>> {
    const ci = config.ci;
    const provider = ci
      ? this.providers.ci.find(p => p.supports(ci))
      : undefined;
    if (!ci || !provider) {
      return Promise.resolve(
        unconfigured(
          'ci',
          'ci',
          ci ? 'No CI provider for this project' : 'No CI annotation',
        ),
      );
    }
    return this.cache.run({ ...this.runsSpec(config)!, fresh }, ctx =>
      provider.listRuns({ projectSlug: ci.projectSlug, limit: CI_RUNS }, ctx),
    );
  }

  /** The cached read of an entity's CI runs (undefined without CI). */
  private runsSpec(config: EntityDeployConfig): SourceSpec | undefined {
    const ci = config.ci;
    const provider = ci
      ? this.providers.ci.find(p => p.supports(ci))
      : undefined;
    if (!ci || !provider) return undefined;
    return {
      source: provider.id,
      kind: 'ci',
      scope: ciScope(ci.projectSlug),
      key: `runs:${provider.id}:${ci.projectSlug}`,
      summary: (runs: BuildRun[]) => runs.slice(0, 1),
    };
  }

  /** The cached read of an entity's artifact list (undefined without a registry). */
  private artifactsListSpec(
    config: EntityDeployConfig,
  ): SourceSpec | undefined {
    const provider = this.artifactProvider(config);
    if (!provider) return undefined;
    const { slug, ...spec } = this.artifactsSpec(config, provider);
    return {
      ...spec,
      key: `artifacts:${provider.id}:${slug ?? config.image}`,
      summary: (artifacts: ArtifactState[]) => {
        const newest = newestScannedArtifact(artifacts);
        return newest ? [newest] : [];
      },
    };
  }

  private artifactProvider(config: EntityDeployConfig) {
    const request = {
      repositorySlug: config.registry?.harborRepositorySlug,
      image: config.image,
    };
    return this.providers.artifacts.find(p => p.supports(request));
  }

  private artifactsSpec(
    config: EntityDeployConfig,
    provider: ArtifactProvider,
  ) {
    const slug = config.registry?.harborRepositorySlug;
    return {
      source: provider.id,
      kind: 'artifacts' as const,
      scope: artifactsScope(slug ?? config.image ?? ''),
      slug,
    };
  }

  /** Recent artifacts of the entity's image repository. */
  readArtifacts(
    config: EntityDeployConfig,
    fresh?: boolean,
  ): Promise<SourceResult<ArtifactState[]>> {
    const provider = this.artifactProvider(config);
    if (!provider) {
      return Promise.resolve(
        unconfigured(
          'artifacts',
          'artifacts',
          'No registry configured for this entity',
        ),
      );
    }
    const slug = config.registry?.harborRepositorySlug;
    return this.cache.run({ ...this.artifactsListSpec(config)!, fresh }, ctx =>
      provider.listArtifacts(
        { repositorySlug: slug, image: config.image, limit: ARTIFACTS },
        ctx,
      ),
    );
  }

  /** One artifact the list did not hold, by digest or tag. */
  readArtifact(
    config: EntityDeployConfig,
    image: ImageRef,
    fresh?: boolean,
  ): Promise<SourceResult<ArtifactState | null>> | undefined {
    const provider = this.artifactProvider(config);
    if (!provider || !(image.tag || image.digest)) return undefined;
    const { slug, ...spec } = this.artifactsSpec(config, provider);
    return this.cache.run(
      {
        ...spec,
        key: `artifact:${provider.id}:${slug}:${image.digest ?? image.tag}`,
        fresh,
      },
      async ctx =>
        (await provider.getArtifact({ repositorySlug: slug, image }, ctx)) ??
        null,
    );
  }

  /** The SonarQube quality gate of the entity's project. */
  readQualityGate(
    config: EntityDeployConfig,
    fresh?: boolean,
  ): Promise<SourceResult<QualityGate | undefined>> {
    const provider = this.providers.quality[0];
    const projectKey = config.quality?.sonarqubeProjectKey;
    if (!provider || !projectKey) {
      return Promise.resolve(
        unconfigured(
          'quality',
          'quality',
          projectKey
            ? 'No quality provider configured'
            : 'No SonarQube annotation',
        ),
      );
    }
    return this.cache.run(
      {
        source: provider.id,
        kind: 'quality',
        scope: qualityScope(projectKey),
        key: `gate:${projectKey}`,
        fresh,
      },
      ctx => provider.getQualityGate({ projectKey }, ctx),
    );
  }
}
