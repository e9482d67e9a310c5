import { applicationFor } from './applicationFor';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  APP_LABEL,
  applicationName,
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
  RolloutState,
  SlipwayEnvironment,
  SourceKind,
  SourceReport,
} from '@slipway/plugin-slipway-common';
import { DeliveryApplication } from '@slipway/plugin-slipway-node';
import {
  deriveEnvironmentState,
  EnvironmentFacts,
  findArtifact,
} from './deriveEnvironmentState';
import { parseSelector } from './matchSelector';
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

/** One read under way: settled once its result is in. */
interface Read<T> {
  promise: Promise<SourceResult<T> | undefined>;
  settled: boolean;
  /** Undefined when there was nothing to read. */
  result?: SourceResult<T>;
}

/** Everything read for one entity, settling source by source. */
interface EntityReads {
  config: EntityDeployConfig;
  paths: string[];
  fresh?: boolean;
  gitops: Read<HeadOverlays>;
  apps: Read<DeliveryApplication[]>;
  runs: Read<BuildRun[]>;
  artifacts: Read<ArtifactState[]>;
  quality: Read<QualityGate | undefined>;
  /** The overlay trees at the live revisions: once GitOps and Argo CD answered. */
  treesAt: Read<TreesAt>;
  /** The rollouts of the applications that manage one, by application. */
  rollouts: Read<Map<string, SourceResult<RolloutState | undefined>>>;
  /** Artifacts the list did not hold, by tag or digest. */
  lookups: Read<Map<string, SourceResult<ArtifactState | null>>>;
}

/** A snapshot's receiver: every line of a streamed state. */
export type StateSnapshotListener = (state: EntityState) => void;

/** The report of a read that is no source of its own (it reports through its parts). */
const NO_REPORT: SourceReport = {
  source: '',
  kind: 'gitops',
  status: 'ok',
};

/** The source named in a `pending` report when the provider is not known here. */
const PENDING_SOURCE: Record<SourceKind, string> = {
  gitops: 'gitops',
  delivery: 'argocd',
  ci: 'ci',
  artifacts: 'artifacts',
  quality: 'quality',
};

const PENDING_SOURCE_NAME: Record<SourceKind, string> = {
  gitops: 'the GitOps repository',
  delivery: 'Argo CD',
  ci: 'CI',
  artifacts: 'the registry',
  quality: 'the quality gate',
};

/** Entities whose rollout applications are remembered (see `rolloutHints`). */
const ROLLOUT_HINTS = 5_000;

/**
 * Deploy state and history of one entity: desired state from GitOps, live
 * state from Argo CD, artifacts, CI runs and quality gates, read through
 * {@link StateSources} in parallel, then judged by the common rules.
 */
export class DeployStateService {
  /**
   * The applications of an entity that managed an Argo Rollout at its last
   * read, so their rollouts are read beside the application list, not after
   * it. Entities read for the first time in this process are read by the
   * names the convention gives (`<app>-<env>`, or `argocd/app-name`).
   */
  private readonly rolloutHints = new Map<string, string[]>();

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
    const reads = this.readEntity(config, options.fresh, () => {});
    await settledAll(reads);
    return this.snapshot(reads);
  }

  /**
   * The same state, in parts: `onSnapshot` receives a partial state each
   * time sources answered while others are still under way (those report
   * `pending`, and the parts that depend on them are left out), then the
   * complete state, which the promise answers too. A partial snapshot never
   * says more than its sources answered: an environment's live state,
   * drift and "deployed" appear only once GitOps and Argo CD both answered.
   */
  async streamEntityState(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
    onSnapshot: StateSnapshotListener,
    options: StateReadOptions = {},
  ): Promise<EntityState> {
    const config = await this.entityConfig(ref, credentials);
    let finished = false;
    let scheduled = false;
    let sent: string | undefined;
    const reads: EntityReads = this.readEntity(config, options.fresh, () => {
      if (scheduled || finished) return;
      scheduled = true;
      // Sources settling in the same turn make one snapshot.
      setImmediate(() => {
        scheduled = false;
        const pending = pendingKinds(reads);
        // Nothing before GitOps (the environments' frame) answered; then
        // one snapshot each time fewer sources are pending.
        if (finished || pending.length === 0 || pending.includes('gitops')) {
          return;
        }
        if (pending.join() === sent) return;
        sent = pending.join();
        onSnapshot(this.snapshot(reads));
      });
    });
    await settledAll(reads);
    finished = true;
    const state = this.snapshot(reads);
    onSnapshot(state);
    return state;
  }

  /**
   * Every upstream at once, with the rollouts the entity is known (or, the
   * first time, expected) to have; then what depends on two answers: the
   * overlay trees at the live revisions (GitOps and Argo CD), the rollouts
   * the list names that were not read yet, and artifacts the list did not
   * hold (GitOps and the registry).
   */
  private readEntity(
    config: EntityDeployConfig,
    fresh: boolean | undefined,
    onSettle: () => void,
  ): EntityReads {
    const gitops = config.gitops;
    const paths = gitops
      ? config.environments.map(e => overlayPath(gitops.path, e.name))
      : [];
    const read = <T>(
      start: () => Promise<SourceResult<T> | undefined> | undefined,
    ): Read<T> => {
      const entry: Read<T> = {
        settled: false,
        promise: Promise.resolve()
          .then(start)
          .then(result => {
            entry.settled = true;
            entry.result = result;
            onSettle();
            return result;
          }),
      };
      return entry;
    };
    const prefetched = new Map(
      this.expectedRollouts(config).map(name => {
        const result = this.sources.readRollout(
          name,
          config.argocd?.instance ?? '',
          fresh,
        );
        // An expected application may not exist: its answer is not used.
        result?.catch(() => undefined);
        return [name, result];
      }),
    );
    const headOverlays = read(() =>
      this.sources.readHeadOverlays(config, paths, fresh),
    );
    const apps = read(() => this.sources.readApplications(config, fresh));
    const artifacts = read(() => this.sources.readArtifacts(config, fresh));
    return {
      config,
      paths,
      fresh,
      gitops: headOverlays,
      apps,
      runs: read(() => this.sources.readRuns(config, fresh)),
      artifacts,
      quality: read(() => this.sources.readQualityGate(config, fresh)),
      treesAt: read(async () => {
        const [head, list] = await Promise.all([
          headOverlays.promise,
          apps.promise,
        ]);
        const revision = head?.value?.revision;
        if (!gitops || !revision) return undefined;
        return this.sources.readTreesAt(
          {
            repoUrl: gitops.repo,
            paths,
            head: revision,
            revisions: (list?.value ?? []).flatMap(a =>
              a.live.revision ? [a.live.revision] : [],
            ),
          },
          fresh,
        );
      }),
      rollouts: read(async () => {
        const list = await apps.promise;
        const withRollout = config.environments
          .map(e => applicationFor(list?.value, e.name, config))
          .filter((a): a is DeliveryApplication => Boolean(a?.hasRollout));
        if (list?.report.status === 'ok') {
          this.rememberRollouts(
            config,
            withRollout.map(a => a.live.application),
          );
        }
        const byApplication = new Map<
          string,
          SourceResult<RolloutState | undefined>
        >();
        await Promise.all(
          withRollout.map(async app => {
            const name = app.live.application;
            const result = await (prefetched.get(name) ??
              this.sources.readRollout(name, app.live.instance, fresh));
            if (result) byApplication.set(name, result);
          }),
        );
        return { value: byApplication, report: NO_REPORT };
      }),
      lookups: read(async () => {
        const [head, list] = await Promise.all([
          headOverlays.promise,
          artifacts.promise,
        ]);
        const byImage = new Map<string, SourceResult<ArtifactState | null>>();
        if (list?.report.status !== 'ok') {
          return { value: byImage, report: NO_REPORT };
        }
        await Promise.all(
          paths.map(async path => {
            const image = head?.value?.overlays[path]?.image;
            if (!image || findArtifact(list.value ?? [], image)) return;
            const result = await this.sources.readArtifact(
              config,
              image,
              fresh,
            );
            if (result) byImage.set(imageKey(image), result);
          }),
        );
        return { value: byImage, report: NO_REPORT };
      }),
    };
  }

  private hintKey(config: EntityDeployConfig): string {
    return `${config.entityRef}|${config.argocd?.instance ?? ''}`;
  }

  private rememberRollouts(config: EntityDeployConfig, names: string[]) {
    const key = this.hintKey(config);
    this.rolloutHints.delete(key);
    this.rolloutHints.set(key, names);
    if (this.rolloutHints.size > ROLLOUT_HINTS) {
      const oldest = this.rolloutHints.keys().next().value;
      if (oldest !== undefined) this.rolloutHints.delete(oldest);
    }
  }

  /** The applications whose rollouts are read beside the list. */
  private expectedRollouts(config: EntityDeployConfig): string[] {
    const argocd = config.argocd;
    if (!argocd || !this.sources.deliveryProvider(argocd.instance)) return [];
    const known = this.rolloutHints.get(this.hintKey(config));
    if (known) return known;
    if (!argocd.appSelector) return argocd.appName ? [argocd.appName] : [];
    const app = parseSelector(argocd.appSelector).find(
      t => t.key === APP_LABEL && t.value,
    )?.value;
    if (!app) return [];
    return config.environments.flatMap(e => {
      try {
        return [applicationName(app, e.name)];
      } catch {
        return [];
      }
    });
  }

  /** The state as far as the reads settled; complete once all did. */
  private snapshot(reads: EntityReads): EntityState {
    const pending = pendingKinds(reads);
    const reports: SourceReport[] = [];
    const collect = (result: SourceResult<unknown> | undefined) => {
      if (result && result.report !== NO_REPORT) reports.push(result.report);
    };
    for (const entry of [
      reads.gitops,
      reads.apps,
      reads.runs,
      reads.artifacts,
      reads.quality,
      reads.treesAt,
    ]) {
      collect(entry.result);
    }
    for (const result of reads.rollouts.result?.value?.values() ?? []) {
      collect(result);
    }
    for (const result of reads.lookups.result?.value?.values() ?? []) {
      collect(result);
    }
    const sources = mergeReports(
      reports.filter(r => !pending.includes(r.kind)),
    );
    for (const kind of pending) sources.push(this.pendingReport(reads, kind));
    const state: EntityState = {
      entityRef: reads.config.entityRef,
      generatedAt: new Date().toISOString(),
      environments: reads.config.environments.map((environment, index) =>
        this.environmentState(reads, environment, index, pending),
      ),
      builds: reads.runs.result?.value ?? [],
      sources,
    };
    return state;
  }

  private pendingReport(reads: EntityReads, kind: SourceKind): SourceReport {
    const { config } = reads;
    const ids: Record<SourceKind, string | undefined> = {
      gitops: config.gitops
        ? this.sources.gitopsReader(config.gitops.repo)?.id
        : undefined,
      delivery: this.sources.deliveryProviderFor(config)?.id,
      ci: undefined,
      artifacts: undefined,
      quality: undefined,
    };
    return {
      source: ids[kind] ?? PENDING_SOURCE[kind],
      kind,
      status: 'pending',
      message: `Waiting for ${PENDING_SOURCE_NAME[kind]} to answer`,
    };
  }

  /** One environment from what has settled; the rules decide only on complete facts. */
  private environmentState(
    reads: EntityReads,
    environment: SlipwayEnvironment,
    index: number,
    pending: SourceKind[],
  ): EnvironmentState {
    const { config } = reads;
    const path = reads.paths[index];
    const gitops = reads.gitops.result;
    const apps = reads.apps.result;
    const head = gitops?.value;
    const overlay = path ? head?.overlays[path] : undefined;
    const liveKnown =
      !pending.includes('gitops') && !pending.includes('delivery');
    const app = liveKnown
      ? applicationFor(apps?.value, environment.name, config)
      : undefined;
    const live = app ? this.liveWithRollout(app, reads) : undefined;
    const liveRevision = live?.revision;
    const deciding = [gitops?.report, apps?.report].filter(
      (r): r is SourceReport => Boolean(r),
    );
    const facts: EnvironmentFacts = {
      environment,
      controller: config.flux ? 'flux' : undefined,
      path: config.gitops && reads.gitops.settled ? path : undefined,
      headRevision: head?.revision,
      overlay,
      lastChange: head?.lastChanges[index],
      liveTreeId:
        liveRevision && path
          ? reads.treesAt.result?.value?.[liveRevision]?.[path]
          : undefined,
      live,
      artifact: this.artifactOf(reads, overlay?.image),
      runs: reads.runs.result?.value ?? [],
      quality: reads.quality.result?.value ?? undefined,
      // Stale, failing or rate-limited sources make "deployed" last-known,
      // for every read (the tab as much as the gates).
      decidingSources: {
        gitops: gitops?.report.status,
        delivery: apps?.report.status,
      },
      lastKnownSince: oldestFetchedAt(deciding.filter(r => r.status !== 'ok')),
    };
    const state = deriveEnvironmentState(facts);
    if (
      pending.includes('artifacts') ||
      pending.includes('ci') ||
      pending.includes('quality') ||
      pending.includes('gitops')
    ) {
      delete state.artifact;
    }
    return state;
  }

  private liveWithRollout(
    app: DeliveryApplication,
    reads: EntityReads,
  ): LiveState {
    const live: LiveState = { ...app.live };
    if (!app.hasRollout) return live;
    const rollout = reads.rollouts.result?.value?.get(app.live.application);
    if (rollout?.value) live.rollout = rollout.value;
    return live;
  }

  /** The artifact of the desired image: from the list, else asked for on its own. */
  private artifactOf(
    reads: EntityReads,
    image: ImageRef | undefined,
  ): ArtifactState | undefined {
    const listed = findArtifact(reads.artifacts.result?.value ?? [], image);
    if (listed || !image) return listed;
    return (
      reads.lookups.result?.value?.get(imageKey(image))?.value ?? undefined
    );
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

function readsOf(reads: EntityReads): Read<unknown>[] {
  return [
    reads.gitops,
    reads.apps,
    reads.runs,
    reads.artifacts,
    reads.quality,
    reads.treesAt,
    reads.rollouts,
    reads.lookups,
  ];
}

async function settledAll(reads: EntityReads): Promise<void> {
  await Promise.all(readsOf(reads).map(r => r.promise));
}

/**
 * The kinds of source whose part of the state is still under way. Argo CD's
 * part is the application list, the rollouts and (once GitOps answered) the
 * overlay trees at the live revisions; the registry's includes the
 * artifacts the list did not hold.
 */
function pendingKinds(reads: EntityReads): SourceKind[] {
  const pending: SourceKind[] = [];
  if (!reads.gitops.settled) pending.push('gitops');
  if (
    !reads.apps.settled ||
    !reads.rollouts.settled ||
    (reads.gitops.settled && !reads.treesAt.settled)
  ) {
    pending.push('delivery');
  }
  if (!reads.runs.settled) pending.push('ci');
  if (!reads.artifacts.settled || !reads.lookups.settled) {
    pending.push('artifacts');
  }
  if (!reads.quality.settled) pending.push('quality');
  return pending;
}

function imageKey(image: ImageRef): string {
  return image.digest ?? image.tag ?? image.repository;
}
