import { applicationFor } from './applicationFor';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ArtifactState,
  BuildRun,
  EntityDeployConfig,
  EntityState,
  EnvironmentState,
  HistoryEntry,
  HistoryPage,
  ImageRef,
  LiveState,
  overlayPath,
  QualityGate,
  readEntityDeployConfig,
  SlipwayEnvironment,
  SourceReport,
} from '@slipway/plugin-slipway-common';
import { DeliveryApplication } from '@slipway/plugin-slipway-node';
import {
  deriveEnvironmentState,
  EnvironmentFacts,
  findArtifact,
} from './deriveEnvironmentState';
import { clampLimit, decodeCursor, nextCursor } from './paging';
import { mergeReports, SourceCache, SourceResult } from './SourceCache';
import {
  HeadOverlays,
  StateProviders,
  StateSources,
  TreesAt,
} from './StateSources';

export type { StateProviders } from './StateSources';

/** Options of a state read. */
export interface StateReadOptions {
  /**
   * Bypass every cache and never serve stale data: a failing source is
   * `error`, never `stale`. For decisions (promotion gates), which must treat
   * anything but `ok` as unknown and fail closed.
   */
  fresh?: boolean;
}

/** What the first wave of reads answered for one entity. */
interface EntityReads {
  config: EntityDeployConfig;
  paths: string[];
  fresh?: boolean;
  gitops: SourceResult<HeadOverlays>;
  apps: SourceResult<DeliveryApplication[]>;
  runs: BuildRun[];
  artifacts: SourceResult<ArtifactState[]>;
  quality?: QualityGate;
  treesAt?: TreesAt;
  reports: SourceReport[];
}

/**
 * Deploy state and history of one entity: desired state from GitOps, live
 * state from Argo CD, artifacts, CI runs and quality gates, read through
 * {@link StateSources} in parallel, then judged by the common rules.
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
      StateSources.create({
        providers: options.providers,
        cache: options.sources,
      }),
    );
  }

  private constructor(
    private readonly catalog: CatalogService,
    private readonly environments: SlipwayEnvironment[],
    private readonly sources: StateSources,
  ) {}

  /** Reads the entity with the caller's credentials; invisible means not found, and nothing else is asked. */
  private async entityConfig(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<EntityDeployConfig> {
    const entityRef = stringifyEntityRef(ref);
    const entity = await this.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) {
      throw new NotFoundError(`Entity ${entityRef} not found`);
    }
    return readEntityDeployConfig(entity, { environments: this.environments });
  }

  async getEntityState(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
    options: StateReadOptions = {},
  ): Promise<EntityState> {
    const config = await this.entityConfig(ref, credentials);
    const reads = await this.readEntity(config, options.fresh);
    const environments = await Promise.all(
      config.environments.map((environment, index) =>
        this.environmentState(reads, environment, index),
      ),
    );
    return {
      entityRef: config.entityRef,
      generatedAt: new Date().toISOString(),
      environments,
      builds: reads.runs,
      sources: mergeReports(reads.reports),
    };
  }

  /** Wave 1: every upstream at once; then the overlay trees at the live revisions. */
  private async readEntity(
    config: EntityDeployConfig,
    fresh?: boolean,
  ): Promise<EntityReads> {
    const gitops = config.gitops;
    const paths = gitops
      ? config.environments.map(e => overlayPath(gitops.path, e.name))
      : [];
    const [gitopsRead, apps, runs, artifacts, quality] = await Promise.all([
      this.sources.readHeadOverlays(config, paths, fresh),
      this.sources.readApplications(config, fresh),
      this.sources.readRuns(config, fresh),
      this.sources.readArtifacts(config, fresh),
      this.sources.readQualityGate(config, fresh),
    ]);
    const reports = [gitopsRead, apps, runs, artifacts, quality].map(
      r => r.report,
    );
    const head = gitopsRead.value?.revision;
    const trees =
      gitops && head
        ? await this.sources.readTreesAt(
            {
              repoUrl: gitops.repo,
              paths,
              head,
              revisions: (apps.value ?? []).flatMap(a =>
                a.live.revision ? [a.live.revision] : [],
              ),
            },
            fresh,
          )
        : undefined;
    if (trees) reports.push(trees.report);
    return {
      config,
      paths,
      fresh,
      gitops: gitopsRead,
      apps,
      runs: runs.value ?? [],
      artifacts,
      quality: quality.value ?? undefined,
      treesAt: trees?.value,
      reports,
    };
  }

  /** Wave 2 for one environment (only what wave 1 could not answer), then the rules. */
  private async environmentState(
    reads: EntityReads,
    environment: SlipwayEnvironment,
    index: number,
  ): Promise<EnvironmentState> {
    const { config } = reads;
    const path = reads.paths[index];
    const head = reads.gitops.value;
    const overlay = path ? head?.overlays[path] : undefined;
    const app = applicationFor(reads.apps.value, environment.name, config);
    const [live, artifact] = await Promise.all([
      this.liveWithRollout(app, reads),
      this.artifactOf(reads, overlay?.image),
    ]);
    const liveRevision = live?.revision;
    const facts: EnvironmentFacts = {
      environment,
      path: config.gitops ? path : undefined,
      headRevision: head?.revision,
      overlay,
      lastChange: head?.lastChanges[index],
      liveTreeId:
        liveRevision && path
          ? reads.treesAt?.[liveRevision]?.[path]
          : undefined,
      live,
      artifact,
      runs: reads.runs,
      quality: reads.quality,
      // Stale, failing or rate-limited sources make "deployed" last-known,
      // for every read (the tab as much as the gates).
      decidingSources: {
        gitops: reads.gitops.report.status,
        delivery: reads.apps.report.status,
      },
      lastKnownSince: oldestFetchedAt(
        [reads.gitops.report, reads.apps.report].filter(r => r.status !== 'ok'),
      ),
    };
    return deriveEnvironmentState(facts);
  }

  private async liveWithRollout(
    app: DeliveryApplication | undefined,
    reads: EntityReads,
  ): Promise<LiveState | undefined> {
    if (!app) return undefined;
    const live: LiveState = { ...app.live };
    const read = app.hasRollout
      ? this.sources.readRollout(
          app.live.application,
          app.live.instance,
          reads.fresh,
        )
      : undefined;
    const result = await read;
    if (result) {
      reads.reports.push(result.report);
      if (result.value) live.rollout = result.value;
    }
    return live;
  }

  /** The artifact of the desired image: from the list, else asked for on its own. */
  private async artifactOf(
    reads: EntityReads,
    image: ImageRef | undefined,
  ): Promise<ArtifactState | undefined> {
    const listed = findArtifact(reads.artifacts.value ?? [], image);
    if (listed || !image || reads.artifacts.report.status !== 'ok') {
      return listed;
    }
    const result = await this.sources.readArtifact(
      reads.config,
      image,
      reads.fresh,
    );
    if (!result) return undefined;
    reads.reports.push(result.report);
    return result.value ?? undefined;
  }

  async getEntityHistory(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
    query: { environment?: string; limit?: number; cursor?: string },
  ): Promise<HistoryPage> {
    const config = await this.entityConfig(ref, credentials);
    const limit = clampLimit(query.limit, 50, 200);
    const offset = decodeCursor(query.cursor);
    const environments = config.environments.filter(
      e => !query.environment || e.name === query.environment,
    );
    if (query.environment && environments.length === 0) {
      throw new InputError(`Unknown environment ${query.environment}`);
    }
    const reports: SourceReport[] = [];
    const [gitopsItems, argocdItems] = await Promise.all([
      this.gitopsHistory(config, environments, reports),
      this.argocdHistory(config, environments, reports),
    ]);
    const items = withImagesFromGitops([...gitopsItems, ...argocdItems]);
    items.sort((a, b) => {
      if (a.at === b.at) return a.source.localeCompare(b.source);
      return a.at < b.at ? 1 : -1;
    });
    return {
      items: items.slice(offset, offset + limit),
      nextCursor: nextCursor(offset, limit, items.length),
      sources: mergeReports(reports),
    };
  }

  private async gitopsHistory(
    config: EntityDeployConfig,
    environments: SlipwayEnvironment[],
    reports: SourceReport[],
  ): Promise<HistoryEntry[]> {
    const gitops = config.gitops;
    const reads = gitops
      ? environments.map(e => ({
          environment: e.name,
          read: this.sources.readOverlayHistory(
            config,
            overlayPath(gitops.path, e.name),
          ),
        }))
      : [];
    if (!gitops || reads.some(r => !r.read)) {
      reports.push({
        source: 'gitops',
        kind: 'gitops',
        status: 'unconfigured',
        message: 'No GitOps repository for this entity',
      });
    }
    const results = await Promise.all(
      reads.map(async ({ environment, read }) => ({
        environment,
        result: await read,
      })),
    );
    const items: HistoryEntry[] = [];
    for (const { environment, result } of results) {
      if (!result) continue;
      reports.push(result.report);
      for (const change of result.value ?? []) {
        items.push({
          environment,
          source: 'gitops',
          revision: change.commit.sha,
          image: change.image,
          at: change.commit.committedAt ?? '',
          author: change.commit.author,
          message: change.commit.message,
          promotionId: change.promotionId,
        });
      }
    }
    return items;
  }

  private async argocdHistory(
    config: EntityDeployConfig,
    environments: SlipwayEnvironment[],
    reports: SourceReport[],
  ): Promise<HistoryEntry[]> {
    const result = await this.sources.readApplications(config);
    reports.push(result.report);
    const items: HistoryEntry[] = [];
    for (const app of result.value ?? []) {
      // The labelled environment, or (argocd/app-name) the only one.
      const environment =
        app.environment ??
        environments.find(
          e => applicationFor(result.value, e.name, config) === app,
        )?.name;
      if (!environment || !environments.some(e => e.name === environment))
        continue;
      for (const entry of app.history) {
        items.push({
          environment,
          source: 'argocd',
          revision: entry.revision,
          at: entry.deployedAt ?? entry.startedAt ?? '',
        });
      }
    }
    return items;
  }
}

/** An Argo CD deployment of a revision that changed the overlay ran that image. */
function withImagesFromGitops(items: HistoryEntry[]): HistoryEntry[] {
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
  return items;
}

/** The oldest `fetchedAt` of some reports (when their data was read). */
function oldestFetchedAt(
  reports: { fetchedAt?: string }[],
): string | undefined {
  return reports
    .map(r => r.fetchedAt)
    .filter((at): at is string => Boolean(at))
    .sort()[0];
}
