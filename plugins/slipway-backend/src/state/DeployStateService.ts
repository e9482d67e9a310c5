import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  CompoundEntityRef,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  APP_LABEL,
  ArtifactState,
  BuildRun,
  EntityDeployConfig,
  EntityState,
  EnvironmentState,
  FleetCell,
  FleetPage,
  FleetQuery,
  HistoryEntry,
  HistoryPage,
  ImageRef,
  LiveState,
  overlayPath,
  readEntityDeployConfig,
  SLIPWAY_ANNOTATIONS,
  SlipwayEnvironment,
  SourceReport,
} from '@slipway/plugin-slipway-common';
import {
  ArtifactProvider,
  CiProvider,
  DeliveryApplication,
  DeliveryProvider,
  GitOpsChange,
  GitOpsReaderProvider,
  QualityProvider,
} from '@slipway/plugin-slipway-node';
import crypto from 'node:crypto';
import { repoKey } from '../providers/GitCliGitOpsReader';
import {
  matchesSelector,
  liveImageMatches,
  parseSelector,
} from './matchSelector';
import { mergeReports, SourceCache, SourceResult } from './SourceCache';

/** The providers the service reads from, by kind. */
export interface StateProviders {
  gitops: GitOpsReaderProvider[];
  delivery: DeliveryProvider[];
  ci: CiProvider[];
  artifacts: ArtifactProvider[];
  quality: QualityProvider[];
}

/** Options of a state read. */
export interface StateReadOptions {
  /**
   * Bypass every cache and never serve stale data: a failing source is
   * `error`, never `stale`. For decisions (promotion gates), which must treat
   * anything but `ok` as unknown and fail closed.
   */
  fresh?: boolean;
}

const CI_RUNS = 20;
const ARTIFACTS = 30;
const HISTORY_PER_SOURCE = 200;

/** Invalidation scope of a GitOps repository, from its URL (`owner/name`). */
export function gitopsScope(repoUrl: string): string {
  return `gitops:${repoKey(repoUrl)
    .split('/')
    .slice(-2)
    .join('/')
    .toLowerCase()}`;
}

/** Invalidation scope of a CI project. */
export function ciScope(slug: string): string {
  return `ci:${slug.toLowerCase()}`;
}

/** Invalidation scope of a registry repository. */
export function artifactsScope(slug: string): string {
  return `artifacts:${slug.toLowerCase()}`;
}

/** Invalidation scope of all delivery data. */
export const DELIVERY_SCOPE = 'delivery';

/** Same image version: digests when both have one, else tags. */
function sameVersion(a?: ImageRef, b?: ImageRef): boolean {
  if (!a || !b) return a === b;
  if (a.digest && b.digest) return a.digest === b.digest;
  return a.tag !== undefined && a.tag === b.tag;
}

function digestOf(values: string[]): string {
  return crypto
    .createHash('sha256')
    .update([...values].sort().join('\n'))
    .digest('base64url')
    .slice(0, 24);
}

function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function decodeCursor(cursor?: string): number {
  if (!cursor) return 0;
  try {
    const { o } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Number.isInteger(o) && o >= 0) return o;
  } catch {
    // fall through
  }
  throw new InputError('Invalid cursor');
}

function unconfigured(
  source: string,
  kind: SourceReport['kind'],
  message: string,
): SourceReport {
  return { source, kind, status: 'unconfigured', message };
}

/** Reconciled after the last operation finished, and that operation succeeded. */
function settled(live: LiveState): boolean {
  if (!live.reconciledAt) return false;
  const operation = live.operation;
  if (!operation) return true;
  if (operation.phase !== 'Succeeded' || !operation.finishedAt) return false;
  return Date.parse(live.reconciledAt) >= Date.parse(operation.finishedAt);
}

/**
 * Deploy state of entities: desired state from GitOps, live state from Argo
 * CD, artifacts, CI runs and quality gates, fanned out in parallel, cached,
 * single-flighted, and reported per source.
 */
export class DeployStateService {
  static create(options: {
    catalog: CatalogService;
    environments: SlipwayEnvironment[];
    providers: StateProviders;
    sources: SourceCache;
  }): DeployStateService {
    return new DeployStateService(
      options.catalog,
      options.environments,
      options.providers,
      options.sources,
    );
  }

  private constructor(
    private readonly catalog: CatalogService,
    private readonly environments: SlipwayEnvironment[],
    private readonly providers: StateProviders,
    private readonly sources: SourceCache,
  ) {}

  /** Reads the entity with the caller's credentials; invisible means not found, and nothing else is asked. */
  private async entityConfig(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ) {
    const entityRef = stringifyEntityRef(ref);
    const entity = await this.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) {
      throw new NotFoundError(`Entity ${entityRef} not found`);
    }
    return {
      entity,
      config: readEntityDeployConfig(entity, {
        environments: this.environments,
      }),
    };
  }

  private gitopsReader(repoUrl: string) {
    return this.providers.gitops.find(p => p.supports(repoUrl));
  }

  private deliveryProvider(instance?: string) {
    if (instance)
      return this.providers.delivery.find(p => p.instance === instance);
    return this.providers.delivery[0];
  }

  private ciProvider(config: EntityDeployConfig) {
    return config.ci
      ? this.providers.ci.find(p => p.supports(config.ci!))
      : undefined;
  }

  private artifactProvider(config: EntityDeployConfig) {
    const request = {
      repositorySlug: config.registry?.harborRepositorySlug,
      image: config.image,
    };
    return this.providers.artifacts.find(p => p.supports(request));
  }

  private readApplications(
    config: EntityDeployConfig,
    fresh?: boolean,
  ): Promise<SourceResult<DeliveryApplication[]>> | undefined {
    const argocd = config.argocd;
    if (!argocd) return undefined;
    const provider = this.deliveryProvider(argocd.instance);
    if (!provider) {
      return Promise.resolve({
        report: unconfigured(
          `argocd:${argocd.instance ?? 'default'}`,
          'delivery',
          'No Argo CD instance configured for this entity',
        ),
      });
    }
    const spec = {
      source: provider.id,
      kind: 'delivery' as const,
      scope: DELIVERY_SCOPE,
      fresh,
    };
    if (argocd.appSelector) {
      const selector = argocd.appSelector;
      return this.sources.run(
        { ...spec, key: `apps:${provider.id}:${selector}` },
        ctx => provider.listApplications(selector, ctx),
      );
    }
    const name = argocd.appName!;
    return this.sources.run(
      { ...spec, key: `app:${provider.id}:${name}` },
      async ctx => {
        const app = await provider.getApplication(name, ctx);
        return app ? [app] : [];
      },
    );
  }

  async getEntityState(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
    options: StateReadOptions = {},
  ): Promise<EntityState> {
    const { config } = await this.entityConfig(ref, credentials);
    const fresh = options.fresh;
    const environments = config.environments;
    const reports: SourceReport[] = [];

    // Wave 1: every upstream at once.
    const gitops = config.gitops;
    const reader = gitops ? this.gitopsReader(gitops.repo) : undefined;
    const paths = gitops
      ? environments.map(e => overlayPath(gitops.path, e.name))
      : [];
    const gitopsRead =
      gitops && reader
        ? this.sources.run(
            {
              source: reader.id,
              kind: 'gitops',
              scope: gitopsScope(gitops.repo),
              key: `overlays:${repoKey(gitops.repo)}:${paths.join(',')}:${
                config.image ?? ''
              }`,
              fresh,
            },
            async ctx => {
              // In parallel: the reader refreshes the repository once for all of them.
              const lastChanges = reader.lastChanges
                ? reader
                    .lastChanges({ repoUrl: gitops.repo, paths }, ctx)
                    .then(byPath => paths.map(path => byPath[path]))
                : Promise.all(
                    paths.map(path =>
                      reader
                        .history(
                          {
                            repoUrl: gitops.repo,
                            path,
                            limit: 1,
                            withImages: false,
                          },
                          ctx,
                        )
                        .then(changes => changes[0]),
                    ),
                  );
              const [snapshot, last] = await Promise.all([
                reader.readOverlays(
                  {
                    repoUrl: gitops.repo,
                    paths: paths.map(path => ({
                      path,
                      imageName: config.image,
                    })),
                  },
                  ctx,
                ),
                lastChanges,
              ]);
              return {
                revision: snapshot.revision,
                overlays: snapshot.overlays,
                last,
              };
            },
          )
        : undefined;
    if (!gitops)
      reports.push(
        unconfigured(
          'gitops',
          'gitops',
          'slipway.dev/gitops-repo or gitops-path missing',
        ),
      );
    else if (!reader)
      reports.push(
        unconfigured(
          'gitops',
          'gitops',
          'No reader for this GitOps repository',
        ),
      );

    const appsRead = this.readApplications(config, fresh);
    if (!config.argocd)
      reports.push(
        unconfigured('argocd', 'delivery', 'argocd/app-selector missing'),
      );

    const ci = this.ciProvider(config);
    const runsRead =
      ci && config.ci
        ? this.sources.run(
            {
              source: ci.id,
              kind: 'ci',
              scope: ciScope(config.ci.projectSlug),
              key: `runs:${ci.id}:${config.ci.projectSlug}`,
              fresh,
            },
            ctx =>
              ci.listRuns(
                { projectSlug: config.ci!.projectSlug, limit: CI_RUNS },
                ctx,
              ),
          )
        : undefined;
    if (!runsRead)
      reports.push(
        unconfigured(
          'ci',
          'ci',
          config.ci ? 'No CI provider for this project' : 'No CI annotation',
        ),
      );

    const registry = this.artifactProvider(config);
    const slug = config.registry?.harborRepositorySlug;
    const artifactsRead = registry
      ? this.sources.run(
          {
            source: registry.id,
            kind: 'artifacts',
            scope: artifactsScope(slug ?? config.image ?? ''),
            key: `artifacts:${registry.id}:${slug ?? config.image}`,
            fresh,
          },
          ctx =>
            registry.listArtifacts(
              { repositorySlug: slug, image: config.image, limit: ARTIFACTS },
              ctx,
            ),
        )
      : undefined;
    if (!registry)
      reports.push(
        unconfigured(
          'artifacts',
          'artifacts',
          'No registry configured for this entity',
        ),
      );

    const qualityProvider = this.providers.quality[0];
    const projectKey = config.quality?.sonarqubeProjectKey;
    const qualityRead =
      qualityProvider && projectKey
        ? this.sources.run(
            {
              source: qualityProvider.id,
              kind: 'quality',
              scope: `quality:${projectKey}`,
              key: `gate:${projectKey}`,
              fresh,
            },
            ctx => qualityProvider.getQualityGate({ projectKey }, ctx),
          )
        : undefined;
    if (!qualityRead)
      reports.push(
        unconfigured(
          'quality',
          'quality',
          projectKey
            ? 'No quality provider configured'
            : 'No SonarQube annotation',
        ),
      );

    const [
      gitopsResult,
      appsResult,
      runsResult,
      artifactsResult,
      qualityResult,
    ] = await Promise.all([
      gitopsRead,
      appsRead,
      runsRead,
      artifactsRead,
      qualityRead,
    ]);
    for (const result of [
      gitopsResult,
      appsResult,
      runsResult,
      artifactsResult,
      qualityResult,
    ]) {
      if (result) reports.push(result.report);
    }

    const apps = appsResult?.value ?? [];
    const runs = runsResult?.value ?? [];
    const artifacts = artifactsResult?.value ?? [];

    // Wave 2: only what wave 1 could not answer.
    const appFor = (environment: string) =>
      apps.find(a => a.environment === environment);
    const wave2 = environments.map(
      async (environment, index): Promise<EnvironmentState> => {
        const path = paths[index];
        const overlay = gitopsResult?.value?.overlays[path];
        const last: GitOpsChange | undefined = gitopsResult?.value?.last[index];
        const app = appFor(environment.name);
        const state: EnvironmentState = {
          environment: environment.name,
          syncMode: environment.syncMode,
          drift: { drifted: false, reasons: [] },
          deployed: false,
        };
        if (gitops && path) {
          state.desired = {
            path,
            image: overlay?.image,
            commit: last?.commit,
            promotionId: last?.promotionId,
          };
        }
        const tasks: Promise<unknown>[] = [];
        if (app) {
          state.live = { ...app.live };
          const provider = this.deliveryProvider(app.live.instance);
          if (app.hasRollout && provider) {
            tasks.push(
              this.sources
                .run(
                  {
                    source: provider.id,
                    kind: 'delivery',
                    scope: DELIVERY_SCOPE,
                    key: `rollout:${provider.id}:${app.live.application}`,
                    fresh,
                  },
                  ctx => provider.getRollout(app.live.application, ctx),
                )
                .then(result => {
                  reports.push(result.report);
                  if (result.value) state.live!.rollout = result.value;
                }),
            );
          }
        }
        // Which overlay commit the live revision carries (local read of the GitOps clone).
        let liveChange: GitOpsChange | undefined;
        if (
          app?.live.revision &&
          reader &&
          gitops &&
          last &&
          app.live.revision !== gitopsResult?.value?.revision
        ) {
          const revision = app.live.revision;
          tasks.push(
            this.sources
              .run(
                {
                  source: reader.id,
                  kind: 'gitops',
                  scope: gitopsScope(gitops.repo),
                  key: `at:${repoKey(gitops.repo)}:${path}:${revision}`,
                  fresh,
                  ttlMs: 86_400_000,
                },
                async ctx =>
                  (
                    await reader.history(
                      {
                        repoUrl: gitops.repo,
                        path,
                        limit: 1,
                        revision,
                        withImages: false,
                      },
                      ctx,
                    )
                  )[0] ?? null,
              )
              .then(result => {
                reports.push(result.report);
                liveChange = result.value ?? undefined;
              }),
          );
        } else if (
          app?.live.revision &&
          app.live.revision === gitopsResult?.value?.revision
        ) {
          liveChange = last;
        }
        const image = overlay?.image;
        let artifact: ArtifactState | undefined = image
          ? artifacts.find(a =>
              image.digest
                ? a.image.digest === image.digest
                : a.image.tag === image.tag,
            )
          : undefined;
        if (
          !artifact &&
          image &&
          registry &&
          artifactsResult?.report.status === 'ok' &&
          (image.tag || image.digest)
        ) {
          tasks.push(
            this.sources
              .run(
                {
                  source: registry.id,
                  kind: 'artifacts',
                  scope: artifactsScope(slug ?? config.image ?? ''),
                  key: `artifact:${registry.id}:${slug}:${
                    image.digest ?? image.tag
                  }`,
                  fresh,
                },
                async ctx =>
                  (await registry.getArtifact(
                    { repositorySlug: slug, image },
                    ctx,
                  )) ?? null,
              )
              .then(result => {
                reports.push(result.report);
                artifact = result.value ?? undefined;
              }),
          );
        }
        await Promise.all(tasks);

        if (artifact) {
          const commit = artifact.sourceCommit ?? image?.tag;
          state.artifact = {
            ...artifact,
            image: {
              ...artifact.image,
              repository: image?.repository ?? artifact.image.repository,
              tag: image?.tag ?? artifact.image.tag,
            },
            build: runs.find(r => r.commit === commit),
            quality: qualityResult?.value ?? undefined,
          };
        } else if (image) {
          state.artifact = {
            image,
            sourceCommit: image.tag,
            build: runs.find(r => r.commit === image.tag),
          };
        }

        if (state.live) {
          const reasons: string[] = [];
          if (state.live.syncStatus === 'OutOfSync')
            reasons.push('Argo CD reports OutOfSync');
          if (
            image &&
            !state.live.images.some(live => liveImageMatches(live, image))
          ) {
            reasons.push(
              `Cluster does not run ${image.repository}:${image.tag ?? ''}${
                image.digest ? `@${image.digest}` : ''
              }`,
            );
          }
          state.drift = { drifted: reasons.length > 0, reasons };
          state.deployed = Boolean(
            last &&
              liveChange &&
              liveChange.commit.sha === last.commit.sha &&
              state.live.syncStatus === 'Synced' &&
              state.live.healthStatus === 'Healthy' &&
              settled(state.live) &&
              !state.drift.drifted &&
              (!fresh ||
                (gitopsResult?.report.status === 'ok' &&
                  appsResult?.report.status === 'ok')),
          );
        }
        return state;
      },
    );
    const environmentStates = await Promise.all(wave2);

    return {
      entityRef: config.entityRef,
      generatedAt: new Date().toISOString(),
      environments: environmentStates,
      builds: runs as BuildRun[],
      sources: mergeReports(reports),
    };
  }

  async getEntityHistory(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
    query: { environment?: string; limit?: number; cursor?: string },
  ): Promise<HistoryPage> {
    const { config } = await this.entityConfig(ref, credentials);
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
    const offset = decodeCursor(query.cursor);
    const environments = config.environments.filter(
      e => !query.environment || e.name === query.environment,
    );
    if (query.environment && environments.length === 0) {
      throw new InputError(`Unknown environment ${query.environment}`);
    }
    const reports: SourceReport[] = [];
    const items: HistoryEntry[] = [];
    const gitops = config.gitops;
    const reader = gitops ? this.gitopsReader(gitops.repo) : undefined;
    const gitopsReads = environments.map(async environment => {
      if (!gitops || !reader) return;
      const path = overlayPath(gitops.path, environment.name);
      const result = await this.sources.run(
        {
          source: reader.id,
          kind: 'gitops',
          scope: gitopsScope(gitops.repo),
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
      reports.push(result.report);
      for (const change of result.value ?? []) {
        items.push({
          environment: environment.name,
          source: 'gitops',
          revision: change.commit.sha,
          image: change.image,
          at: change.commit.committedAt ?? '',
          author: change.commit.author,
          message: change.commit.message,
          promotionId: change.promotionId,
        });
      }
    });
    if (!gitops || !reader)
      reports.push(
        unconfigured(
          'gitops',
          'gitops',
          'No GitOps repository for this entity',
        ),
      );
    const appsRead = (
      this.readApplications(config) ?? Promise.resolve(undefined)
    ).then(result => {
      if (!result) {
        reports.push(
          unconfigured('argocd', 'delivery', 'argocd/app-selector missing'),
        );
        return;
      }
      reports.push(result.report);
      for (const app of result.value ?? []) {
        if (
          !app.environment ||
          !environments.some(e => e.name === app.environment)
        )
          continue;
        for (const entry of app.history) {
          items.push({
            environment: app.environment,
            source: 'argocd',
            revision: entry.revision,
            at: entry.deployedAt ?? entry.startedAt ?? '',
          });
        }
      }
    });
    await Promise.all([...gitopsReads, appsRead]);
    // An Argo CD deployment of a revision that changed the overlay ran that image.
    const images = new Map(
      items
        .filter(i => i.source === 'gitops' && i.image)
        .map(i => [`${i.environment}|${i.revision}`, i.image]),
    );
    for (const item of items) {
      if (item.source === 'argocd' && !item.image) {
        const image = images.get(`${item.environment}|${item.revision}`);
        if (image) item.image = image;
      }
    }
    items.sort((a, b) => {
      if (a.at === b.at) return a.source.localeCompare(b.source);
      return a.at < b.at ? 1 : -1;
    });
    const page = items.slice(offset, offset + limit);
    return {
      items: page,
      nextCursor:
        offset + limit < items.length
          ? encodeCursor(offset + limit)
          : undefined,
      sources: mergeReports(reports),
    };
  }

  async getFleet(
    credentials: BackstageCredentials,
    query: FleetQuery,
  ): Promise<FleetPage> {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 500);
    const offset = decodeCursor(query.cursor);
    const environments = this.environments.filter(
      e => !query.environment || e.name === query.environment,
    );
    if (query.environment && environments.length === 0) {
      throw new InputError(`Unknown environment ${query.environment}`);
    }
    const { items: entities } = await this.catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${SLIPWAY_ANNOTATIONS.gitopsRepo}`]:
            CATALOG_FILTER_EXISTS,
        },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'metadata.annotations',
          'spec.owner',
          'spec.system',
        ],
      },
      { credentials },
    );
    const refOf = (value: unknown, kind: string) => {
      if (typeof value !== 'string' || !value) return undefined;
      try {
        return stringifyEntityRef(
          parseEntityRef(value, {
            defaultKind: kind,
            defaultNamespace: 'default',
          }),
        );
      } catch {
        return undefined;
      }
    };
    const wantedOwner = query.owner ? refOf(query.owner, 'group') : undefined;
    const wantedSystem = query.system
      ? refOf(query.system, 'system')
      : undefined;
    const rows = entities
      .map((entity: Entity) => ({
        entity,
        owner: refOf((entity.spec as any)?.owner, 'group'),
        system: refOf((entity.spec as any)?.system, 'system'),
        config: readEntityDeployConfig(entity, { environments }),
      }))
      .filter(
        row =>
          (!wantedOwner || row.owner === wantedOwner) &&
          (!wantedSystem || row.system === wantedSystem),
      )
      .sort((a, b) => a.config.entityRef.localeCompare(b.config.entityRef));

    const reports: SourceReport[] = [];
    // One list call per Argo CD instance, whatever the number of entities.
    const instances = new Map<string, DeliveryProvider>();
    for (const row of rows) {
      if (!row.config.argocd) continue;
      const provider = this.deliveryProvider(row.config.argocd.instance);
      if (provider) instances.set(provider.id, provider);
    }
    const appsByInstance = new Map<string, DeliveryApplication[]>();
    const appReads = [...instances.values()].map(async provider => {
      const result = await this.sources.run(
        {
          source: provider.id,
          kind: 'delivery',
          scope: DELIVERY_SCOPE,
          key: `fleet:${provider.id}`,
        },
        ctx => provider.listApplications(APP_LABEL, ctx),
      );
      reports.push(result.report);
      appsByInstance.set(provider.id, result.value ?? []);
    });
    // One read per GitOps repository.
    const repos = new Map<
      string,
      {
        repoUrl: string;
        reader: GitOpsReaderProvider;
        paths: Map<string, string | undefined>;
      }
    >();
    for (const row of rows) {
      const gitops = row.config.gitops;
      if (!gitops) continue;
      const reader = this.gitopsReader(gitops.repo);
      if (!reader) continue;
      const key = repoKey(gitops.repo);
      const repo = repos.get(key) ?? {
        repoUrl: gitops.repo,
        reader,
        paths: new Map(),
      };
      repos.set(key, repo);
      for (const environment of row.config.environments) {
        repo.paths.set(
          overlayPath(gitops.path, environment.name),
          row.config.image,
        );
      }
    }
    const snapshots = new Map<
      string,
      Awaited<ReturnType<GitOpsReaderProvider['readOverlays']>>
    >();
    const gitopsReads = [...repos.entries()].map(async ([key, repo]) => {
      const paths = [...repo.paths.entries()].map(([path, imageName]) => ({
        path,
        imageName,
      }));
      const result = await this.sources.run(
        {
          source: repo.reader.id,
          kind: 'gitops',
          scope: gitopsScope(repo.repoUrl),
          key: `fleet:${key}:${digestOf(
            paths.map(p => `${p.path}|${p.imageName ?? ''}`),
          )}`,
        },
        ctx => repo.reader.readOverlays({ repoUrl: repo.repoUrl, paths }, ctx),
      );
      reports.push(result.report);
      if (result.value) snapshots.set(key, result.value);
    });
    await Promise.all([...appReads, ...gitopsReads]);

    // Live revisions behind the head: one more read per repository (not per
    // entity) tells whether the overlay there is the desired one.
    const liveRevisions = new Set<string>();
    for (const apps of appsByInstance.values()) {
      for (const app of apps)
        if (app.live.revision) liveRevisions.add(app.live.revision);
    }
    const treesAt = new Map<
      string,
      Record<string, Record<string, string | undefined>>
    >();
    await Promise.all(
      [...repos.entries()].map(async ([key, repo]) => {
        const snapshot = snapshots.get(key);
        if (!snapshot) return;
        const revisions = [...liveRevisions]
          .filter(r => r !== snapshot.revision)
          .sort()
          .slice(0, 50);
        if (revisions.length === 0) return;
        const paths = [...repo.paths.keys()].map(path => ({ path }));
        const result = await this.sources.run(
          {
            source: repo.reader.id,
            kind: 'gitops',
            scope: gitopsScope(repo.repoUrl),
            key: `fleet-at:${key}:${digestOf(
              paths.map(p => p.path),
            )}:${digestOf(revisions)}`,
            ttlMs: 86_400_000,
          },
          ctx =>
            repo.reader.readOverlays(
              { repoUrl: repo.repoUrl, paths, revisions },
              ctx,
            ),
        );
        reports.push(result.report);
        if (result.value?.treesAt) treesAt.set(key, result.value.treesAt);
      }),
    );

    // Index applications by app label for the join.
    const index = new Map<string, DeliveryApplication[]>();
    for (const [instance, apps] of appsByInstance) {
      for (const app of apps) {
        const key = `${instance}|${app.labels[APP_LABEL] ?? ''}`;
        index.set(key, [...(index.get(key) ?? []), app]);
      }
    }
    const appsOf = (config: EntityDeployConfig): DeliveryApplication[] => {
      if (!config.argocd) return [];
      const provider = this.deliveryProvider(config.argocd.instance);
      if (!provider) return [];
      if (config.argocd.appSelector) {
        const selector = config.argocd.appSelector;
        const appTerm = parseSelector(selector).find(
          t => t.key === APP_LABEL && t.value,
        );
        const candidates = appTerm
          ? index.get(`${provider.id}|${appTerm.value}`) ?? []
          : appsByInstance.get(provider.id) ?? [];
        return candidates.filter(app => matchesSelector(selector, app.labels));
      }
      return (appsByInstance.get(provider.id) ?? []).filter(
        app => app.live.application === config.argocd!.appName,
      );
    };

    const page = rows.slice(offset, offset + limit);
    const items = page.map(row => {
      const config = row.config;
      const apps = appsOf(config);
      const snapshot = config.gitops
        ? snapshots.get(repoKey(config.gitops.repo))
        : undefined;
      const cells: Record<string, FleetCell> = {};
      let first: ImageRef | undefined;
      config.environments.forEach((environment, position) => {
        const path = config.gitops
          ? overlayPath(config.gitops.path, environment.name)
          : undefined;
        const overlay = path ? snapshot?.overlays[path] : undefined;
        const app = apps.find(a => a.environment === environment.name);
        if (position === 0) first = overlay?.image;
        const live = app?.live;
        cells[environment.name] = {
          tag: overlay?.image?.tag,
          digest: overlay?.image?.digest,
          syncStatus: live?.syncStatus,
          healthStatus: live?.healthStatus,
          deployed: Boolean(
            live &&
              overlay?.image &&
              snapshot &&
              live.revision &&
              (live.revision === snapshot.revision ||
                (overlay.treeId !== undefined &&
                  treesAt.get(repoKey(config.gitops!.repo))?.[live.revision]?.[
                    path!
                  ] === overlay.treeId)) &&
              live.syncStatus === 'Synced' &&
              live.healthStatus === 'Healthy' &&
              settled(live) &&
              live.images.some(image =>
                liveImageMatches(image, overlay.image!),
              ),
          ),
          behind: position > 0 && !sameVersion(overlay?.image, first),
        };
      });
      return {
        entityRef: config.entityRef,
        title: row.entity.metadata.title,
        owner: row.owner,
        system: row.system,
        cells,
      };
    });
    return {
      environments,
      items,
      totalItems: rows.length,
      nextCursor:
        offset + limit < rows.length ? encodeCursor(offset + limit) : undefined,
      sources: mergeReports(reports),
    };
  }
}
