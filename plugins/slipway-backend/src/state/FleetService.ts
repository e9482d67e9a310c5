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
  behindVerdict,
  deployedVerdict,
  EntityDeployConfig,
  FleetCell,
  FleetPage,
  FleetQuery,
  FleetRow,
  ImageRef,
  overlayPath,
  readEntityDeployConfig,
  repoKey,
  SLIPWAY_ANNOTATIONS,
  SlipwayEnvironment,
  SourceReport,
} from '@slipway/plugin-slipway-common';
import {
  DeliveryApplication,
  DeliveryProvider,
  GitOpsSnapshot,
} from '@slipway/plugin-slipway-node';
import { matchesSelector, parseSelector } from './matchSelector';
import { clampLimit, decodeCursor, nextCursor } from './paging';
import { mergeReports, SourceCache } from './SourceCache';
import { StateProviders, StateSources, TreesAt } from './StateSources';

/** One catalog entity of the fleet, with its deploy configuration. */
interface FleetEntity {
  entity: Entity;
  owner?: string;
  system?: string;
  config: EntityDeployConfig;
}

/** One GitOps repository of the fleet and the overlays read from it. */
interface FleetRepository {
  repoUrl: string;
  /** Overlay path → the image name of the entity owning it. */
  paths: Map<string, string | undefined>;
  snapshot?: GitOpsSnapshot;
  treesAt?: TreesAt;
  /** How the overlay read answered. */
  report?: SourceReport;
}

/** What the fleet's reads answered. */
interface FleetReads {
  appsByInstance: Map<string, DeliveryApplication[]>;
  /** How each Argo CD instance's list answered. */
  deliveryReports: Map<string, SourceReport>;
  /** Applications by `instance|app label`, for the join. */
  appsByLabel: Map<string, DeliveryApplication[]>;
  repositories: Map<string, FleetRepository>;
}

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

/**
 * The fleet view: every entity with a GitOps repository, per environment,
 * at a cost that does not grow with the number of entities (one list per
 * Argo CD instance, one read per GitOps repository, plus one read of the
 * overlay trees at the live revisions per repository).
 */
export class FleetService {
  static create(options: {
    catalog: CatalogService;
    environments: SlipwayEnvironment[];
    providers: StateProviders;
    sources: SourceCache;
  }): FleetService {
    return new FleetService(
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

  async getFleet(
    credentials: BackstageCredentials,
    query: FleetQuery,
  ): Promise<FleetPage> {
    const limit = clampLimit(query.limit, 100, 500);
    const offset = decodeCursor(query.cursor);
    const environments = this.environments.filter(
      e => !query.environment || e.name === query.environment,
    );
    if (query.environment && environments.length === 0) {
      throw new InputError(`Unknown environment ${query.environment}`);
    }
    const entities = await this.fleetEntities(credentials, query, environments);
    const reports: SourceReport[] = [];
    const reads = await this.readFleet(entities, reports);
    const items = entities
      .slice(offset, offset + limit)
      .map(entity => this.fleetRow(entity, reads));
    return {
      environments,
      items,
      totalItems: entities.length,
      nextCursor: nextCursor(offset, limit, entities.length),
      sources: mergeReports(reports),
    };
  }

  /** The caller's visible entities with a GitOps repository, filtered and sorted. */
  private async fleetEntities(
    credentials: BackstageCredentials,
    query: FleetQuery,
    environments: SlipwayEnvironment[],
  ): Promise<FleetEntity[]> {
    const { items } = await this.catalog.getEntities(
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
    const wantedOwner = query.owner ? refOf(query.owner, 'group') : undefined;
    const wantedSystem = query.system
      ? refOf(query.system, 'system')
      : undefined;
    return items
      .map(entity => ({
        entity,
        owner: refOf(entity.spec?.owner, 'group'),
        system: refOf(entity.spec?.system, 'system'),
        config: readEntityDeployConfig(entity, { environments }),
      }))
      .filter(
        row =>
          (!wantedOwner || row.owner === wantedOwner) &&
          (!wantedSystem || row.system === wantedSystem),
      )
      .sort((a, b) => a.config.entityRef.localeCompare(b.config.entityRef));
  }

  private async readFleet(
    entities: FleetEntity[],
    reports: SourceReport[],
  ): Promise<FleetReads> {
    const repositories = this.repositoriesOf(entities);
    const deliveryReports = new Map<string, SourceReport>();
    const [appsByInstance] = await Promise.all([
      this.readApplications(entities, reports, deliveryReports),
      this.readOverlays(repositories, reports),
    ]);
    await this.readTreesAtLive(repositories, appsByInstance, reports);
    const appsByLabel = new Map<string, DeliveryApplication[]>();
    for (const [instance, apps] of appsByInstance) {
      for (const app of apps) {
        const key = `${instance}|${app.labels[APP_LABEL] ?? ''}`;
        appsByLabel.set(key, [...(appsByLabel.get(key) ?? []), app]);
      }
    }
    return { appsByInstance, deliveryReports, appsByLabel, repositories };
  }

  /** One list call per Argo CD instance, whatever the number of entities. */
  private async readApplications(
    entities: FleetEntity[],
    reports: SourceReport[],
    deliveryReports: Map<string, SourceReport>,
  ): Promise<Map<string, DeliveryApplication[]>> {
    const instances = new Map<string, DeliveryProvider>();
    for (const { config } of entities) {
      if (!config.argocd) continue;
      const provider = this.sources.deliveryProvider(config.argocd.instance);
      if (provider) instances.set(provider.id, provider);
    }
    const appsByInstance = new Map<string, DeliveryApplication[]>();
    await Promise.all(
      [...instances.values()].map(async provider => {
        const result = await this.sources.readAllApplications(
          provider,
          APP_LABEL,
        );
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
    for (const { config } of entities) {
      const gitops = config.gitops;
      if (!gitops || !this.sources.gitopsReader(gitops.repo)) continue;
      const key = repoKey(gitops.repo);
      const repository = repositories.get(key) ?? {
        repoUrl: gitops.repo,
        paths: new Map(),
      };
      repositories.set(key, repository);
      for (const environment of config.environments) {
        repository.paths.set(
          overlayPath(gitops.path, environment.name),
          config.image,
        );
      }
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
        const paths = [...repository.paths.entries()].map(
          ([path, imageName]) => ({ path, imageName }),
        );
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
    const revisions = [...appsByInstance.values()].flatMap(apps =>
      apps.flatMap(app => (app.live.revision ? [app.live.revision] : [])),
    );
    await Promise.all(
      [...repositories.values()].map(async repository => {
        if (!repository.snapshot) return;
        const result = await this.sources.readTreesAt({
          repoUrl: repository.repoUrl,
          paths: [...repository.paths.keys()],
          head: repository.snapshot.revision,
          revisions,
        });
        if (!result) return;
        reports.push(result.report);
        repository.treesAt = result.value;
      }),
    );
  }

  /** The entity's Applications among those listed. */
  private appsOf(
    config: EntityDeployConfig,
    reads: FleetReads,
  ): DeliveryApplication[] {
    const argocd = config.argocd;
    if (!argocd) return [];
    const provider = this.sources.deliveryProvider(argocd.instance);
    if (!provider) return [];
    const listed = reads.appsByInstance.get(provider.id) ?? [];
    if (!argocd.appSelector) {
      return listed.filter(app => app.live.application === argocd.appName);
    }
    const selector = argocd.appSelector;
    const appTerm = parseSelector(selector).find(
      t => t.key === APP_LABEL && t.value,
    );
    const candidates = appTerm
      ? reads.appsByLabel.get(`${provider.id}|${appTerm.value}`) ?? []
      : listed;
    return candidates.filter(app => matchesSelector(selector, app.labels));
  }

  private fleetRow(row: FleetEntity, reads: FleetReads): FleetRow {
    const { config } = row;
    const apps = this.appsOf(config, reads);
    const repository = config.gitops
      ? reads.repositories.get(repoKey(config.gitops.repo))
      : undefined;
    const images = config.environments.map(environment => ({
      environment: environment.name,
      path: config.gitops
        ? overlayPath(config.gitops.path, environment.name)
        : undefined,
    }));
    const provider = config.argocd
      ? this.sources.deliveryProvider(config.argocd.instance)
      : undefined;
    const deliveryReport = provider
      ? reads.deliveryReports.get(provider.id)
      : undefined;
    const first = images[0];
    const firstImage = first?.path
      ? repository?.snapshot?.overlays[first.path]?.image
      : undefined;
    const cells: Record<string, FleetCell> = {};
    for (const { environment, path } of images) {
      cells[environment] = fleetCell({
        path,
        repository,
        deliveryReport: deliveryReport,
        app: apps.find(a => a.environment === environment),
        environment,
        reference: first && {
          environment: first.environment,
          image: firstImage,
        },
      });
    }
    return {
      entityRef: config.entityRef,
      title: row.entity.metadata.title,
      owner: row.owner,
      system: row.system,
      cells,
    };
  }
}

/** One cell: what Git sets, what Argo CD says, and the common rules' verdicts. */
function fleetCell(input: {
  environment: string;
  path?: string;
  repository?: FleetRepository;
  deliveryReport?: SourceReport;
  app?: DeliveryApplication;
  reference?: { environment: string; image?: ImageRef };
}): FleetCell {
  const { path, repository, app } = input;
  const snapshot = repository?.snapshot;
  const overlay = path ? snapshot?.overlays[path] : undefined;
  const live = app?.live;
  const liveTreeId =
    live?.revision && path
      ? repository?.treesAt?.[live.revision]?.[path]
      : undefined;
  return {
    tag: overlay?.image?.tag,
    digest: overlay?.image?.digest,
    syncStatus: live?.syncStatus,
    healthStatus: live?.healthStatus,
    ...deployedFields(
      deployedVerdict({
        desired:
          overlay && snapshot
            ? {
                revision: snapshot.revision,
                treeId: overlay.treeId,
                image: overlay.image,
              }
            : undefined,
        liveTreeId,
        live,
        decidingSources: {
          gitops: repository?.report?.status,
          delivery: input.deliveryReport?.status,
        },
      }),
      [repository?.report, input.deliveryReport],
    ),
    behind: behindVerdict(
      { environment: input.environment, image: overlay?.image },
      input.reference,
    ).behind,
  };
}

/** `deployed`, and what last-known data says when a deciding source was not ok. */
function deployedFields(
  verdict: ReturnType<typeof deployedVerdict>,
  reports: (SourceReport | undefined)[],
): Pick<FleetCell, 'deployed' | 'lastKnown'> {
  if (!verdict.lastKnown) return { deployed: verdict.deployed };
  const since = reports
    .filter((r): r is SourceReport => Boolean(r) && r!.status !== 'ok')
    .map(r => r.fetchedAt)
    .filter((at): at is string => Boolean(at))
    .sort()[0];
  return {
    deployed: false,
    lastKnown: { ...verdict.lastKnown, since },
  };
}
