import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  APP_LABEL,
  ArtifactState,
  assertDnsLabel,
  attentionRank,
  behindVerdict,
  BuildRun,
  EntityDeployConfig,
  environmentVerdict,
  EnvironmentVerdictKind,
  FleetBuild,
  FleetCell,
  FleetPage,
  FleetQuery,
  FleetRollout,
  FleetRow,
  FleetScan,
  FleetUnknownFilter,
  ImageRef,
  LiveState,
  needsAttention,
  overlayPath,
  readEntityDeployConfig,
  repoKey,
  RolloutState,
  SLIPWAY_ANNOTATIONS,
  SlipwayEnvironment,
  SourceReport,
} from '@slipway/plugin-slipway-common';
import {
  DeliveryApplication,
  DeliveryProvider,
  GitOpsChange,
  GitOpsSnapshot,
} from '@slipway/plugin-slipway-node';
import { deliverySelection } from './deliveryProviderFor';
import { deriveEnvironmentState } from './deriveEnvironmentState';
import { parseSelector } from './matchSelector';
import { clampLimit, decodeCursor, nextCursor } from './paging';
import { CATALOG_PAGE_SIZE, readCatalogPages } from './readCatalogPages';
import { mergeReports, SourceCache, SourceResult } from './SourceCache';
import {
  newestScannedArtifact,
  StateProviders,
  StateSources,
  TreesAt,
} from './StateSources';

/**
 * One catalog entity of the fleet, kept compact: what the rows, filters and
 * reads need, derived once per request (the raw catalog page is dropped).
 */
interface FleetEntity {
  name: string;
  title?: string;
  owner?: string;
  system?: string;
  config: EntityDeployConfig;
  /** It names a GitOps repository (else: not set up). */
  setUp: boolean;
  /** Overlay folder per environment of `config.environments`. */
  paths: (string | undefined)[];
  /** The key of its GitOps repository, when a reader supports it. */
  repository?: string;
  /** The Argo CD instance its Applications are listed from. */
  provider?: DeliveryProvider;
}

/** Component types listed as "not set up" when they lack delivery annotations. */
const DEPLOYABLE_TYPES = ['service', 'website'];
/** Cached CI and scan reads started per fleet answer, at most (warm-up). */
const WARM_UP_PER_PAGE = 100;
const WARM_UP_CONCURRENCY = 4;
/**
 * Rollouts under way whose progress is read per answer, at most (through
 * the cache the Deploy tab shares); beyond, a cell's verdict rests on
 * Argo CD's list alone.
 */
const ROLLOUT_READS = 50;
const ROLLOUT_CONCURRENCY = 8;
/** Health of an Application whose Rollout may be on its way. */
const UNSETTLED_HEALTH = ['Progressing', 'Suspended', 'Degraded'];

/**
 * An environment's state, worst first, for the `<env>.state` sort: the
 * kinds of the common verdict the page shows.
 */
const VERDICT_ORDER: EnvironmentVerdictKind[] = [
  'failed',
  'degraded',
  'drifted',
  'unknown',
  'awaiting-sync',
  'rolling-out',
  'awaiting-first-deploy',
  'deployed',
];

/** A row of the answer and the entity it stands for. */
interface FleetItem {
  entity: FleetEntity;
  /** Cells are filled only as the filter, the sort or the page needs them. */
  row: FleetRow;
  /** Cells computed so far, by position in `config.environments`. */
  cells?: (FleetCell | undefined)[];
  /** Every cell is in `row.cells`, in environment order. */
  complete?: boolean;
  /** What its cells share, once the first is computed. */
  facts?: RowFacts;
  /** The cache held no CI runs or no artifacts for it. */
  missing?: boolean;
}

/** A parsed `sort` parameter. */
interface FleetSortKey {
  column:
    | 'name'
    | 'owner'
    | 'system'
    | 'attention'
    | 'state'
    | 'version'
    | 'age';
  environment?: string;
  descending: boolean;
}

function parseSort(
  query: FleetQuery,
  environments: SlipwayEnvironment[],
): FleetSortKey {
  const descending = query.order === 'desc';
  const sort = query.sort ?? 'name';
  const match = /^(.+)\.(state|version|age)$/.exec(sort);
  if (!match) {
    if (!['name', 'owner', 'system', 'attention'].includes(sort)) {
      throw new InputError(`Invalid sort ${sort}`);
    }
    return { column: sort as FleetSortKey['column'], descending };
  }
  const [, environment, column] = match;
  if (!environments.some(e => e.name === environment)) {
    throw new InputError(`Invalid sort: unknown environment ${environment}`);
  }
  return {
    column: column as FleetSortKey['column'],
    environment,
    descending,
  };
}

/** The sort value of a row: a string or number, undefined sorting last. */
function sortValue(
  row: FleetRow,
  key: FleetSortKey,
  /** The entity's name, when known (else parsed from the ref). */
  name?: string,
): string | number | undefined {
  switch (key.column) {
    case 'name':
      return (row.title ?? name ?? nameOf(row.entityRef)).toLocaleLowerCase(
        'en-US',
      );
    case 'owner':
      return row.owner;
    case 'system':
      return row.system;
    case 'attention':
      return attentionRank(needsAttention(row));
    default:
  }
  const cell = key.environment ? row.cells[key.environment] : undefined;
  if (!cell) return undefined;
  if (key.column === 'version') return cell.tag ?? cell.digest;
  if (key.column === 'age') {
    // Age grows as `since` goes back: ascending age is the newest first.
    return cell.since ? -Date.parse(cell.since) : undefined;
  }
  // Worst first when ascending, by the verdict the cell shows.
  return VERDICT_ORDER.indexOf(cell.verdict.kind);
}

/** Compares like `String.prototype.localeCompare`, without its cost per call. */
const collator = new Intl.Collator();

/**
 * Sorts rows by `key`, each row's sort value computed once (not per
 * comparison); ties by entity ref, so pages stay correct under any sort.
 */
function sortItems(items: FleetItem[], key: FleetSortKey): FleetItem[] {
  const decorated = items.map(item => ({
    item,
    value: sortValue(item.row, key, item.entity.name),
  }));
  decorated.sort((a, b) => {
    const va = a.value;
    const vb = b.value;
    let order = 0;
    if (va === undefined && vb !== undefined) return 1;
    if (vb === undefined && va !== undefined) return -1;
    if (va !== undefined && vb !== undefined) {
      order =
        typeof va === 'number' && typeof vb === 'number'
          ? va - vb
          : collator.compare(String(va), String(vb));
      if (key.descending) order = -order;
    }
    return (
      order || collator.compare(a.item.row.entityRef, b.item.row.entityRef)
    );
  });
  return decorated.map(d => d.item);
}

function nameOf(entityRef: string): string {
  try {
    return parseEntityRef(entityRef).name;
  } catch {
    return entityRef;
  }
}

/** The newest CI run, as the fleet marks it. */
function fleetBuild(result?: SourceResult<BuildRun[]>): FleetBuild | undefined {
  const run = result?.value?.[0];
  if (!run) return undefined;
  let status: FleetBuild['status'] = 'other';
  if (run.status !== 'completed') status = 'running';
  else if (run.conclusion === 'success') status = 'passed';
  else if (run.conclusion === 'failure' || run.conclusion === 'timed_out') {
    status = 'failed';
  }
  return {
    status,
    name: run.name,
    url: run.url,
    at: run.completedAt ?? run.startedAt,
    ...(result!.report.status !== 'ok' ? { lastKnown: true } : {}),
  };
}

/** The scan of the newest pushed artifact that has one. */
function fleetScan(
  result?: SourceResult<ArtifactState[]>,
): FleetScan | undefined {
  const scan = newestScannedArtifact(result?.value ?? [])?.scan;
  if (!scan) return undefined;
  return {
    status: scan.status,
    critical: scan.critical,
    high: scan.high,
    url: scan.reportUrl,
    ...(result!.report.status !== 'ok' ? { lastKnown: true } : {}),
  };
}

/** Rollout state from Argo CD's list alone (no per-application read). */
function fleetRollout(
  app: DeliveryApplication | undefined,
): FleetRollout | undefined {
  if (!app) return undefined;
  const { healthStatus, operation } = app.live;
  if (operation?.phase === 'Failed' || operation?.phase === 'Error') {
    return 'failed';
  }
  if (app.hasRollout && healthStatus === 'Degraded') return 'failed';
  // Argo CD reports a paused Rollout as Suspended.
  if (app.hasRollout && healthStatus === 'Suspended') return 'paused';
  if (operation?.phase === 'Running' || healthStatus === 'Progressing') {
    return 'progressing';
  }
  return undefined;
}

/** One GitOps repository of the fleet and the overlays read from it. */
interface FleetRepository {
  repoUrl: string;
  /** Overlay path → the image name of the entity owning it. */
  paths: Map<string, string | undefined>;
  /**
   * The overlay paths, sorted once: each read's cache key digests the
   * sorted list, which is then already in order.
   */
  sortedPaths: string[];
  snapshot?: GitOpsSnapshot;
  /** The last commit that changed each overlay, by path (batch readers only). */
  lastChanges?: Record<string, GitOpsChange | undefined>;
  treesAt?: TreesAt;
  /** How the overlay read answered. */
  report?: SourceReport;
  /** How the read of the trees at the live revisions answered. */
  treesReport?: SourceReport;
}

/** What the fleet's reads answered. */
interface FleetReads {
  appsByInstance: Map<string, DeliveryApplication[]>;
  /** How each Argo CD instance's list answered. */
  deliveryReports: Map<string, SourceReport>;
  /** Applications by `instance|app label`, for the join. */
  appsByLabel: Map<string, DeliveryApplication[]>;
  repositories: Map<string, FleetRepository>;
  /** Progress of the rollouts under way, by `instance|application`. */
  rollouts: Map<string, SourceResult<RolloutState | undefined>>;
}

/** The reports every cell of one (repository, Argo CD instance) pair weighs. */
interface CellSources {
  gitopsReport: SourceReport;
  deliveryReport: SourceReport;
  /** The deciding sources (GitOps, Argo CD) and the trees-at-live read. */
  reports: SourceReport[];
  lastKnownSince?: string;
}

/** What the cells of one row share, derived once per row. */
interface RowFacts {
  apps: DeliveryApplication[];
  repository?: FleetRepository;
  sources: CellSources;
  reference?: { environment: string; image?: ImageRef };
}

/** The Argo CD list reads of one answer, started as instances are seen. */
type ListReads = Map<
  string,
  {
    provider: DeliveryProvider;
    read: Promise<SourceResult<DeliveryApplication[]>>;
  }
>;

function refOf(value: unknown, kind: string): string | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(value, { defaultKind: kind, defaultNamespace: 'default' }),
    );
  } catch {
    return undefined;
  }
}

/** The catalog fields the fleet reads: nothing else crosses the wire. */
const CATALOG_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.annotations',
  'spec.owner',
  'spec.system',
  'spec.type',
];

/**
 * The fleet view: every entity with a GitOps repository, per environment,
 * at a cost that does not grow with the number of entities (one list per
 * Argo CD instance, one read per GitOps repository, plus one read of the
 * overlay trees at the live revisions per repository). The catalog is read
 * page by page; each row's cells are computed only when the filter, the
 * sort or the page needs them.
 */
export class FleetService {
  static create(options: {
    catalog: CatalogService;
    environments: SlipwayEnvironment[];
    providers: StateProviders;
    sources: SourceCache;
    /**
     * After each answer, read (through the cache) the CI runs and
     * artifacts of the page's services the cache knew nothing about.
     */
    warmUp?: boolean;
    /** Entities per catalog page (default `CATALOG_PAGE_SIZE`). */
    catalogPageSize?: number;
  }): FleetService {
    return new FleetService(
      options.catalog,
      options.environments,
      StateSources.create({
        providers: options.providers,
        cache: options.sources,
      }),
      options.warmUp ?? false,
      options.catalogPageSize ?? CATALOG_PAGE_SIZE,
    );
  }

  private constructor(
    private readonly catalog: CatalogService,
    private readonly environments: SlipwayEnvironment[],
    private readonly sources: StateSources,
    private readonly warm: boolean,
    private readonly catalogPageSize: number,
  ) {}

  async getFleet(
    credentials: BackstageCredentials,
    query: FleetQuery,
  ): Promise<FleetPage> {
    const limit = clampLimit(query.limit, 100, 500);
    const offset = decodeCursor(query.cursor);
    const sort = parseSort(query, this.environments);
    const unknownFilters: FleetUnknownFilter[] = [];
    let environments = this.environments.filter(
      e => !query.environment || e.name === query.environment,
    );
    if (query.environment && environments.length === 0) {
      // Explained in the answer and ignored, rather than a blank page.
      unknownFilters.push({ name: 'environment', value: query.environment });
      environments = this.environments;
    }
    // Argo CD lists start as soon as the catalog names their instance,
    // while the remaining catalog pages are read.
    const listReads: ListReads = new Map();
    const { setUp, notSetUp } = await this.fleetEntities(
      credentials,
      environments,
      listReads,
    );
    const facets = {
      owners: distinct(setUp, notSetUp, e => e.owner),
      systems: distinct(setUp, notSetUp, e => e.system),
    };
    const wantedOwner = query.owner ? refOf(query.owner, 'group') : undefined;
    const wantedSystem = query.system
      ? refOf(query.system, 'system')
      : undefined;
    if (query.owner && !facets.owners.includes(wantedOwner ?? '')) {
      unknownFilters.push({ name: 'owner', value: query.owner });
    }
    if (query.system && !facets.systems.includes(wantedSystem ?? '')) {
      unknownFilters.push({ name: 'system', value: query.system });
    }
    const search = query.q?.trim().toLocaleLowerCase('en-US');
    const matches = (row: FleetEntity) =>
      (!query.owner || row.owner === wantedOwner) &&
      (!query.system || row.system === wantedSystem) &&
      (!search ||
        row.name.toLocaleLowerCase('en-US').includes(search) ||
        (row.title ?? '').toLocaleLowerCase('en-US').includes(search));

    // Reads cover the whole fleet, whatever the filters: one read per
    // source either way, and the cache keys stay the same while people type.
    const reports: SourceReport[] = [];
    const reads = await this.readFleet(setUp, listReads, reports);
    const names = environments.map(e => e.name);
    const cells = this.cellsOf(reads);
    let rows: FleetItem[] = setUp
      .filter(matches)
      .map(entity => ({ entity, row: bareRow(entity) }));
    const needsBuildFacts = query.attention || sort.column === 'attention';
    const candidates = rows;
    if (needsBuildFacts) {
      // The attention rule weighs every cell and the CI and scan markers.
      for (const item of rows) cells.complete(item);
      await this.addBuildFacts(rows);
      if (query.attention) {
        rows = rows.filter(({ row }) => needsAttention(row, names).length > 0);
      }
    } else if (sort.environment) {
      // Only the sorted environment's cell is needed to order the rows.
      for (const item of rows) cells.cell(item, sort.environment);
    }
    rows = sortItems(rows, sort);
    const waiting: FleetItem[] = query.attention
      ? []
      : sortItems(
          notSetUp
            .filter(matches)
            .map(entity => ({ entity, row: notSetUpRow(entity) })),
          sort,
        );
    const listed = [...rows, ...waiting];
    const page = listed.slice(offset, offset + limit);
    for (const item of page) cells.complete(item);
    if (!needsBuildFacts) await this.addBuildFacts(page);
    // The facts the filter or sort missed, else the page's.
    this.warmUp(needsBuildFacts ? candidates : page);
    return {
      environments,
      items: page.map(({ row }) => row),
      totalItems: listed.length,
      nextCursor: nextCursor(offset, limit, listed.length),
      sources: mergeReports(reports),
      facets,
      ...(unknownFilters.length > 0 ? { unknownFilters } : {}),
    };
  }

  /** CI and scan markers from what the cache holds: never one read per entity. */
  private async addBuildFacts(rows: FleetItem[]): Promise<void> {
    const setUp = rows.filter(item => !item.row.notSetUp);
    // One batch peek for every row (each scope's generation read once).
    const facts = await this.sources.peekManyBuildFacts(
      setUp.map(item => item.entity.config),
    );
    for (const [index, item] of setUp.entries()) {
      const { runs, artifacts } = facts[index];
      const build = fleetBuild(runs);
      const scan = fleetScan(artifacts);
      if (build) item.row.build = build;
      if (scan) item.row.scan = scan;
      if (!runs || !artifacts) item.missing = true;
    }
  }

  /**
   * After answering: cached reads of CI runs and artifacts for the page's
   * services the cache knew nothing about, a few at a time, so the next
   * answer has their markers. Off unless enabled (tests count calls).
   */
  private warmUp(rows: FleetItem[]): void {
    if (!this.warm) return;
    const queue = rows
      .filter(r => r.missing)
      .slice(0, WARM_UP_PER_PAGE)
      .map(r => r.entity.config);
    if (queue.length === 0) return;
    setImmediate(() => {
      const worker = async () => {
        for (let config = queue.shift(); config; config = queue.shift()) {
          await Promise.all([
            this.sources.readRuns(config),
            this.sources.readArtifacts(config),
          ]).catch(() => {});
        }
      };
      Promise.all(
        Array.from({ length: WARM_UP_CONCURRENCY }, () => worker()),
      ).catch(() => {});
    });
  }

  /**
   * The caller's visible entities with a GitOps repository, and the deployable components without one (not set up), read from the
   * catalog page by page; each page is reduced to what the fleet needs
   * before the next is asked for. Starts each Argo CD instance's list on
   * the first entity naming it.
   */
  private async fleetEntities(
    credentials: BackstageCredentials,
    environments: SlipwayEnvironment[],
    listReads: ListReads,
  ): Promise<{ setUp: FleetEntity[]; notSetUp: FleetEntity[] }> {
    const setUp: FleetEntity[] = [];
    const notSetUp: FleetEntity[] = [];
    // Derived once per repository URL and per instance, not per entity.
    const repositoryKeys = new Map<string, string | undefined>();
    const providers = new Map<string, DeliveryProvider | undefined>();
    const repositoryOf = (repoUrl: string) => {
      if (!repositoryKeys.has(repoUrl)) {
        repositoryKeys.set(
          repoUrl,
          this.sources.gitopsReader(repoUrl) ? repoKey(repoUrl) : undefined,
        );
      }
      return repositoryKeys.get(repoUrl);
    };
    const providerOf = (instance: string | undefined) => {
      const name = instance ?? '';
      if (!providers.has(name)) {
        providers.set(name, this.sources.deliveryProvider(instance));
      }
      return providers.get(name);
    };
    // The environments' overlay folders, each name checked once: a GitOps
    // path as `readEntityDeployConfig` normalised it, without `%`, is its
    // own normal form, so `overlayPath` would only check the environment.
    const overlayFolders = new Map<string, string>();
    const overlayOf = (gitopsPath: string, environment: string) => {
      if (gitopsPath.includes('%')) return overlayPath(gitopsPath, environment);
      let folder = overlayFolders.get(environment);
      if (folder === undefined) {
        folder = `/overlays/${assertDnsLabel(environment, 'environment')}`;
        overlayFolders.set(environment, folder);
      }
      return `${gitopsPath}${folder}`;
    };
    // Owners and systems repeat across the fleet: parsed once each.
    const refs = new Map<string, string | undefined>();
    const refOnce = (value: unknown, kind: string) => {
      if (typeof value !== 'string') return undefined;
      const key = `${kind}\n${value}`;
      if (!refs.has(key)) refs.set(key, refOf(value, kind));
      return refs.get(key);
    };
    const onPage = (entities: Entity[]) => {
      for (const entity of entities) {
        const config = readEntityDeployConfig(entity, { environments });
        // The per-annotation findings serve the Deploy tab's setup card,
        // not the fleet: not kept for every entity of the answer.
        config.annotations = [];
        const gitops = config.gitops;
        const row: FleetEntity = {
          name: entity.metadata.name,
          title: entity.metadata.title,
          owner: refOnce(entity.spec?.owner, 'group'),
          system: refOnce(entity.spec?.system, 'system'),
          config,
          setUp: Boolean(
            entity.metadata.annotations?.[SLIPWAY_ANNOTATIONS.gitopsRepo],
          ),
          paths: config.environments.map(environment =>
            gitops ? overlayOf(gitops.path, environment.name) : undefined,
          ),
          repository: gitops ? repositoryOf(gitops.repo) : undefined,
          provider: config.flux
            ? this.sources.deliveryProviderFor(config)
            : config.argocd && providerOf(config.argocd.instance),
        };
        if (!row.setUp) {
          notSetUp.push(row);
          continue;
        }
        setUp.push(row);
        const provider = row.provider;
        if (provider && !listReads.has(provider.id)) {
          const read = this.sources.readAllApplications(provider, APP_LABEL);
          // Awaited by readApplications; never an unhandled rejection if
          // a later catalog page fails first.
          read.catch(() => {});
          listReads.set(provider.id, { provider, read });
        }
      }
    };
    await readCatalogPages(
      this.catalog,
      {
        filter: [
          {
            [`metadata.annotations.${SLIPWAY_ANNOTATIONS.gitopsRepo}`]:
              CATALOG_FILTER_EXISTS,
          },
          { kind: 'component', 'spec.type': DEPLOYABLE_TYPES },
        ],
        fields: CATALOG_FIELDS,
        pageSize: this.catalogPageSize,
      },
      credentials,
      onPage,
    );
    // In the catalog's order: every list is sorted (ties by ref) later.
    return { setUp, notSetUp };
  }

  private async readFleet(
    entities: FleetEntity[],
    listReads: ListReads,
    reports: SourceReport[],
  ): Promise<FleetReads> {
    const repositories = this.repositoriesOf(entities);
    const deliveryReports = new Map<string, SourceReport>();
    const [appsByInstance] = await Promise.all([
      this.readApplications(listReads, reports, deliveryReports),
      this.readOverlays(repositories, reports),
      this.readLastChanges(repositories, reports),
    ]);
    const [, rollouts] = await Promise.all([
      this.readTreesAtLive(repositories, appsByInstance, reports),
      this.readRollouts(appsByInstance, reports),
    ]);
    const appsByLabel = new Map<string, DeliveryApplication[]>();
    for (const [instance, apps] of appsByInstance) {
      for (const app of apps) {
        const key = `${instance}|${app.labels[APP_LABEL] ?? ''}`;
        const listed = appsByLabel.get(key);
        if (listed) listed.push(app);
        else appsByLabel.set(key, [app]);
      }
    }
    return {
      appsByInstance,
      deliveryReports,
      appsByLabel,
      repositories,
      rollouts,
    };
  }

  /**
   * The last commit that changed each overlay (the verdict tells "Git
   * changed after the last sync" from drift by it): one read per
   * repository, from readers that answer it in one batch only.
   */
  private async readLastChanges(
    repositories: Map<string, FleetRepository>,
    reports: SourceReport[],
  ): Promise<void> {
    await Promise.all(
      [...repositories.values()].map(async repository => {
        const result = await this.sources.readRepositoryLastChanges(
          repository.repoUrl,
          repository.sortedPaths,
        );
        if (!result) return;
        reports.push(result.report);
        repository.lastChanges = result.value;
      }),
    );
  }

  /**
   * The progress of the rollouts under way (an Application managing a
   * Rollout that is not settled), so their verdict reads as on the Deploy
   * tab ("Rolling out 25%", not Suspended): reads that grow with the
   * rollouts in flight, not with the fleet, bounded per answer.
   */
  private async readRollouts(
    appsByInstance: Map<string, DeliveryApplication[]>,
    reports: SourceReport[],
  ): Promise<Map<string, SourceResult<RolloutState | undefined>>> {
    const rollouts = new Map<string, SourceResult<RolloutState | undefined>>();
    const queue: DeliveryApplication[] = [];
    for (const apps of appsByInstance.values()) {
      for (const app of apps) {
        if (queue.length >= ROLLOUT_READS) break;
        if (
          app.hasRollout &&
          UNSETTLED_HEALTH.includes(app.live.healthStatus)
        ) {
          queue.push(app);
        }
      }
    }
    const worker = async () => {
      for (let app = queue.shift(); app; app = queue.shift()) {
        const { application, instance } = app.live;
        const result = await this.sources.readRollout(application, instance);
        if (!result) continue;
        reports.push(result.report);
        rollouts.set(`${instance}|${application}`, result);
      }
    };
    await Promise.all(
      Array.from({ length: ROLLOUT_CONCURRENCY }, () => worker()),
    );
    return rollouts;
  }

  /** One list call per Argo CD instance, whatever the number of entities. */
  private async readApplications(
    listReads: ListReads,
    reports: SourceReport[],
    deliveryReports: Map<string, SourceReport>,
  ): Promise<Map<string, DeliveryApplication[]>> {
    const appsByInstance = new Map<string, DeliveryApplication[]>();
    await Promise.all(
      [...listReads.values()].map(async ({ provider, read }) => {
        const result = await read;
        reports.push(result.report);
        deliveryReports.set(provider.id, result.report);
        appsByInstance.set(provider.id, result.value ?? []);
      }),
    );
    return appsByInstance;
  }

  private repositoriesOf(
    entities: FleetEntity[],
  ): Map<string, FleetRepository> {
    const repositories = new Map<string, FleetRepository>();
    for (const { config, repository: key, paths } of entities) {
      const gitops = config.gitops;
      if (!gitops || !key) continue;
      let repository = repositories.get(key);
      if (!repository) {
        repository = {
          repoUrl: gitops.repo,
          paths: new Map(),
          sortedPaths: [],
        };
        repositories.set(key, repository);
      }
      for (const path of paths) {
        if (path) repository.paths.set(path, config.image);
      }
    }
    for (const repository of repositories.values()) {
      repository.sortedPaths = [...repository.paths.keys()].sort();
    }
    return repositories;
  }

  /** One read per GitOps repository, for all its entities' overlays. */
  private async readOverlays(
    repositories: Map<string, FleetRepository>,
    reports: SourceReport[],
  ): Promise<void> {
    await Promise.all(
      [...repositories.values()].map(async repository => {
        const paths = repository.sortedPaths.map(path => ({
          path,
          imageName: repository.paths.get(path),
        }));
        const result = await this.sources.readRepositoryOverlays(
          repository.repoUrl,
          paths,
        );
        if (!result) return;
        reports.push(result.report);
        repository.report = result.report;
        repository.snapshot = result.value;
      }),
    );
  }

  /** Live revisions behind the head: one more read per repository (not per entity). */
  private async readTreesAtLive(
    repositories: Map<string, FleetRepository>,
    appsByInstance: Map<string, DeliveryApplication[]>,
    reports: SourceReport[],
  ): Promise<void> {
    const distinctRevisions = new Set<string>();
    for (const apps of appsByInstance.values()) {
      for (const app of apps) {
        if (app.live.revision) distinctRevisions.add(app.live.revision);
      }
    }
    const revisions = [...distinctRevisions];
    await Promise.all(
      [...repositories.values()].map(async repository => {
        if (!repository.snapshot) return;
        const result = await this.sources.readTreesAt({
          repoUrl: repository.repoUrl,
          paths: repository.sortedPaths,
          head: repository.snapshot.revision,
          revisions,
        });
        if (!result) return;
        reports.push(result.report);
        repository.treesReport = result.report;
        repository.treesAt = result.value;
      }),
    );
  }

  /** The entity's Applications among those listed. */
  private appsOf(row: FleetEntity, reads: FleetReads): DeliveryApplication[] {
    const argocd = deliverySelection(row.config);
    const provider = row.provider;
    if (!argocd || !provider) return [];
    const listed = reads.appsByInstance.get(provider.id) ?? [];
    if (!argocd.appSelector) {
      return listed.filter(app => app.live.application === argocd.appName);
    }
    // Parsed once per entity; each term as `matchesSelector` reads it.
    const terms = parseSelector(argocd.appSelector);
    const appTerm = terms.find(t => t.key === APP_LABEL && t.value);
    const candidates = appTerm
      ? reads.appsByLabel.get(`${provider.id}|${appTerm.value}`) ?? []
      : listed;
    return candidates.filter(app =>
      terms.every(term =>
        term.value === undefined
          ? term.key in app.labels
          : app.labels[term.key] === term.value,
      ),
    );
  }

  /**
   * The cells of one answer: each computed at most once, on demand, from
   * facts derived once per row and reports weighed once per (repository,
   * Argo CD instance) pair.
   */
  private cellsOf(reads: FleetReads) {
    const bySources = new Map<string, CellSources>();
    const sourcesOf = (
      repository: FleetRepository | undefined,
      provider: DeliveryProvider | undefined,
    ): CellSources => {
      const key = `${repository?.repoUrl ?? ''}\n${provider?.id ?? ''}`;
      let known = bySources.get(key);
      if (!known) {
        known = cellSources(
          repository,
          provider ? reads.deliveryReports.get(provider.id) : undefined,
        );
        bySources.set(key, known);
      }
      return known;
    };
    const factsOf = (item: FleetItem): RowFacts => {
      let known = item.facts;
      if (!known) {
        const { entity } = item;
        const repository = entity.repository
          ? reads.repositories.get(entity.repository)
          : undefined;
        const firstEnvironment = entity.config.environments[0];
        const firstPath = entity.paths[0];
        known = {
          apps: this.appsOf(entity, reads),
          repository,
          sources: sourcesOf(repository, entity.provider),
          reference: firstEnvironment && {
            environment: firstEnvironment.name,
            image: firstPath
              ? repository?.snapshot?.overlays[firstPath]?.image
              : undefined,
          },
        };
        item.facts = known;
      }
      return known;
    };
    const cellAt = (item: FleetItem, index: number): FleetCell => {
      item.cells ??= [];
      let cell = item.cells[index];
      if (!cell) {
        const { apps, repository, sources, reference } = factsOf(item);
        const environment = item.entity.config.environments[index];
        const app = apps.find(a => a.environment === environment.name);
        cell = fleetCell({
          environment,
          controller: item.entity.config.flux ? 'flux' : undefined,
          path: item.entity.paths[index],
          repository,
          sources,
          app,
          rollout:
            app?.hasRollout && reads.rollouts.size > 0
              ? reads.rollouts.get(
                  `${app.live.instance}|${app.live.application}`,
                )
              : undefined,
          reference,
        });
        item.cells[index] = cell;
      }
      return cell;
    };
    return {
      /** One environment's cell (for a sort by it), in `row.cells`. */
      cell(item: FleetItem, environment: string): void {
        if (item.row.notSetUp || item.complete) return;
        const index = item.entity.config.environments.findIndex(
          e => e.name === environment,
        );
        if (index >= 0) item.row.cells[environment] = cellAt(item, index);
      },
      /** Every cell of the row, in environment order. */
      complete(item: FleetItem): void {
        if (item.row.notSetUp || item.complete) return;
        const cells: Record<string, FleetCell> = {};
        for (const [
          index,
          environment,
        ] of item.entity.config.environments.entries()) {
          cells[environment.name] = cellAt(item, index);
        }
        item.row.cells = cells;
        item.complete = true;
      },
    };
  }
}

/** The distinct values of a field over the lists, sorted. */
function distinct(
  setUp: FleetEntity[],
  notSetUp: FleetEntity[],
  field: (row: FleetEntity) => string | undefined,
): string[] {
  const values = new Set<string>();
  for (const rows of [setUp, notSetUp]) {
    for (const row of rows) {
      const value = field(row);
      if (value) values.add(value);
    }
  }
  return [...values].sort();
}

/** A set-up row before its cells are computed. */
function bareRow(row: FleetEntity): FleetRow {
  return {
    entityRef: row.config.entityRef,
    title: row.title,
    owner: row.owner,
    system: row.system,
    cells: {},
    ...(row.config.flux || row.config.argocd
      ? { controller: row.config.flux ? 'flux' : 'argocd' }
      : {}),
  };
}

/** A deployable component without delivery annotations. */
function notSetUpRow(row: FleetEntity): FleetRow {
  return { ...bareRow(row), notSetUp: true };
}

/** The reports the cells of one (repository, Argo CD instance) pair weigh. */
function cellSources(
  repository: FleetRepository | undefined,
  deliveryReport: SourceReport | undefined,
): CellSources {
  const gitopsReport: SourceReport = repository?.report ?? {
    source: 'gitops',
    kind: 'gitops',
    status: repository ? 'error' : 'unconfigured',
  };
  const delivery: SourceReport = deliveryReport ?? {
    source: 'argocd',
    kind: 'delivery',
    status: 'unconfigured',
  };
  const deciding = [gitopsReport, delivery];
  return {
    gitopsReport,
    deliveryReport: delivery,
    reports: repository?.treesReport
      ? [...deciding, repository.treesReport]
      : deciding,
    lastKnownSince: deciding
      .filter(r => r.status !== 'ok')
      .map(r => r.fetchedAt)
      .filter((at): at is string => Boolean(at))
      .sort()[0],
  };
}

/** One cell: what Git sets, what the controller says, and the common rules' verdicts. */
function fleetCell(input: {
  environment: SlipwayEnvironment;
  controller?: 'flux';
  path?: string;
  repository?: FleetRepository;
  sources: CellSources;
  app?: DeliveryApplication;
  /** The read of the rollout's progress, when it is under way. */
  rollout?: SourceResult<RolloutState | undefined>;
  reference?: { environment: string; image?: ImageRef };
}): FleetCell {
  const { path, repository, app, sources } = input;
  const snapshot = repository?.snapshot;
  const overlay = path ? snapshot?.overlays[path] : undefined;
  let live: LiveState | undefined = app?.live;
  if (live && input.rollout?.value) {
    live = { ...live, rollout: input.rollout.value };
  }
  // The facts the Deploy tab's state has, judged by the same rules.
  const state = deriveEnvironmentState({
    environment: input.environment,
    controller: input.controller,
    path,
    headRevision: snapshot?.revision,
    overlay,
    lastChange: path ? repository?.lastChanges?.[path] : undefined,
    liveTreeId:
      live?.revision && path
        ? repository?.treesAt?.[live.revision]?.[path]
        : undefined,
    live,
    runs: [],
    decidingSources: {
      gitops: sources.gitopsReport.status,
      delivery: sources.deliveryReport.status,
    },
    lastKnownSince: sources.lastKnownSince,
  });
  const verdict = environmentVerdict(
    state,
    input.rollout?.report
      ? [...sources.reports, input.rollout.report]
      : sources.reports,
  );
  const rollout = fleetRollout(app);
  const since = live?.lastSyncedAt ?? app?.history[0]?.deployedAt;
  const drifted = verdict.kind === 'drifted';
  return {
    tag: overlay?.image?.tag,
    digest: overlay?.image?.digest,
    syncStatus: live?.syncStatus,
    healthStatus: live?.healthStatus,
    ...(drifted
      ? { drifted: true, driftReasons: state.drift.reasons }
      : { drifted: false }),
    ...(rollout ? { rollout } : {}),
    ...(since ? { since } : {}),
    deployed: state.deployed,
    ...(state.lastKnown ? { lastKnown: state.lastKnown } : {}),
    behind: behindVerdict(
      { environment: input.environment.name, image: overlay?.image },
      input.reference,
    ).behind,
    verdict,
  };
}
