import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  APP_LABEL,
  artifactsScope,
  ciScope,
  DELIVERY_SCOPE,
  deliveryAppScope,
  deliveryApplicationScope,
  entitySignalChannel,
  FLEET_SIGNAL_CHANNEL,
  gitopsScope,
  repositoryName,
  SLIPWAY_ANNOTATIONS as A,
} from '@slipway/plugin-slipway-common';
import { GitOpsReaderProvider } from '@slipway/plugin-slipway-node';
import { parseSelector } from './matchSelector';
import { SourceCache } from './SourceCache';

/**
 * What changed upstream, as far as anyone outside may say (a webhook): never
 * data, only which cached reads are no longer current.
 */
export type InvalidationTarget =
  /** A Git repository (`owner/name`) changed: its GitOps overlays and its CI runs. */
  | { repository: string }
  /** A registry repository (slug) changed: its artifacts. */
  | { registryRepository: string }
  /**
   * Argo CD reported on an Application (its name and, when the payload
   * carries it, its `slipway.dev/app` label), or on one it did not name.
   */
  | { delivery: { application?: string; app?: string } };

/**
 * A reader that can forget a repository by `owner/name` on any host.
 * (Candidate for the `GitOpsReaderProvider` interface in slipway-node.)
 */
interface ForgetsRepositories {
  invalidateRepository(repository: string): Promise<void>;
}

function forgetsRepositories(
  reader: GitOpsReaderProvider,
): reader is GitOpsReaderProvider & ForgetsRepositories {
  return (
    typeof (reader as Partial<ForgetsRepositories>).invalidateRepository ===
    'function'
  );
}

/**
 * The cache scopes a target names. An Argo CD Application `<app>-<env>`
 * names its own scope, its app's (from the label, or its name without the
 * environment) and the fleet's — never every entity's delivery data.
 */
export function scopesOf(target: InvalidationTarget): string[] {
  if ('repository' in target) {
    return [gitopsScope(target.repository), ciScope(target.repository)];
  }
  if ('registryRepository' in target) {
    return [artifactsScope(target.registryRepository)];
  }
  const { application, app } = target.delivery;
  if (!application && !app) return [DELIVERY_SCOPE];
  const apps = new Set<string>();
  if (app) apps.add(app);
  if (application) {
    apps.add(application);
    apps.add(application.replace(/-[a-z0-9]+$/, ''));
  }
  return [
    DELIVERY_SCOPE,
    ...(application ? [deliveryApplicationScope(application)] : []),
    ...[...apps].map(deliveryAppScope),
  ];
}

/** Every delivery scope an entity's reads use (for an invalidation that names no app). */
function deliveryScopesOf(entity: Entity): string[] {
  const annotations = entity.metadata.annotations ?? {};
  const scopes: string[] = [];
  const selector = annotations[A.argocdAppSelector];
  if (selector) {
    for (const term of parseSelector(selector)) {
      if (term.key === APP_LABEL && term.value) {
        scopes.push(deliveryAppScope(term.value));
      }
    }
  }
  const name = annotations[A.argocdAppName];
  if (name) scopes.push(deliveryApplicationScope(name));
  return scopes;
}

function targetKey(target: InvalidationTarget): string {
  return JSON.stringify(target);
}

function selectsApp(selector: string | undefined, app: string): boolean {
  return (
    selector !== undefined &&
    parseSelector(selector).some(t => t.key === APP_LABEL && t.value === app)
  );
}

/** True when the entity's state reads something the target names. */
export function entityReads(
  entity: Entity,
  target: InvalidationTarget,
): boolean {
  const annotations = entity.metadata.annotations ?? {};
  if ('repository' in target) {
    const name = target.repository.toLowerCase();
    const gitops = annotations[A.gitopsRepo];
    return (
      annotations[A.githubProjectSlug]?.toLowerCase() === name ||
      (gitops !== undefined && repositoryName(gitops) === name)
    );
  }
  if ('registryRepository' in target) {
    return (
      annotations[A.harborRepositorySlug]?.toLowerCase() ===
      target.registryRepository.toLowerCase()
    );
  }
  const app = target.delivery.app ?? target.delivery.application;
  if (app === undefined) return false;
  // An Application is named `<app>-<env>`; the selector names `<app>`.
  return (
    annotations[A.argocdAppName] === app ||
    selectsApp(annotations[A.argocdAppSelector], app) ||
    selectsApp(annotations[A.argocdAppSelector], app.replace(/-[a-z0-9]+$/, ''))
  );
}

/**
 * The one way to say "this changed upstream": forgets the cached reads
 * (cache), makes the GitOps readers fetch again (reader), and tells the
 * open pages of the affected entities and the fleet (signals).
 */
export class StateInvalidator {
  static create(options: {
    sources: SourceCache;
    gitopsReaders: GitOpsReaderProvider[];
    catalog: CatalogService;
    auth: AuthService;
    signals?: SignalsService;
    logger: LoggerService;
    /**
     * Bursts are coalesced: targets named within this window are
     * invalidated together, once each (THREATS 36). 0 = at once.
     */
    coalesceMs?: number;
  }): StateInvalidator {
    const invalidator = new StateInvalidator(options);
    // A webhook reaches one replica; every replica forgets its own clone of
    // the repository when it next reads the repository's scope at a new
    // generation, before it reads (so no replica caches an old clone anew).
    options.sources.onScopeChanged(scope => invalidator.forgetScope(scope));
    return invalidator;
  }

  private pending = new Map<string, InvalidationTarget>();
  private flushTimer: NodeJS.Timeout | undefined;
  /** How many invalidations reached the cache (coalesced batches). */
  applied = 0;

  private constructor(
    private readonly options: {
      sources: SourceCache;
      gitopsReaders: GitOpsReaderProvider[];
      catalog: CatalogService;
      auth: AuthService;
      signals?: SignalsService;
      logger: LoggerService;
      coalesceMs?: number;
    },
  ) {}

  /**
   * Invalidates what the targets name. With a coalescing window, returns at
   * once and applies the distinct targets of the window together.
   */
  async invalidate(targets: InvalidationTarget[]): Promise<void> {
    const window = this.options.coalesceMs ?? 0;
    if (window <= 0) {
      await this.apply(targets);
      return;
    }
    for (const target of targets) this.pending.set(targetKey(target), target);
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        void this.flush();
      }, window);
      this.flushTimer.unref?.();
    }
  }

  /** Applies what is pending now (the window's end; also for tests and shutdown). */
  async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = [...this.pending.values()];
    this.pending.clear();
    if (batch.length === 0) return;
    try {
      await this.apply(batch);
    } catch (error) {
      this.options.logger.warn(
        `Slipway invalidation failed: ${(error as Error).message}`,
      );
    }
  }

  private async apply(targets: InvalidationTarget[]): Promise<void> {
    this.applied += 1;
    const entities = await this.entitiesWithGitops();
    const untargetedDelivery = targets.some(
      t => 'delivery' in t && !t.delivery.application && !t.delivery.app,
    );
    await this.options.sources.invalidate([
      ...new Set([
        ...targets.flatMap(scopesOf),
        ...(untargetedDelivery ? entities.flatMap(deliveryScopesOf) : []),
      ]),
    ]);
    await this.forgetRepositories(targets, entities);
    await this.signal(
      entities.filter(entity => targets.some(t => entityReads(entity, t))),
    );
  }

  /** Every entity with a GitOps repository (service credentials: signals carry no data). */
  private async entitiesWithGitops(): Promise<Entity[]> {
    try {
      const credentials = await this.options.auth.getOwnServiceCredentials();
      const { items } = await this.options.catalog.getEntities(
        {
          filter: {
            [`metadata.annotations.${A.gitopsRepo}`]: CATALOG_FILTER_EXISTS,
          },
          fields: [
            'kind',
            'metadata.name',
            'metadata.namespace',
            'metadata.annotations',
          ],
        },
        { credentials },
      );
      return items;
    } catch (error) {
      this.options.logger.warn(
        `Slipway invalidation: could not read the catalog: ${
          (error as Error).message
        }`,
      );
      return [];
    }
  }

  /** Readers that forget by name forget a GitOps scope's repository. */
  private async forgetScope(scope: string): Promise<void> {
    const prefix = gitopsScope('');
    if (!scope.startsWith(prefix)) return;
    const name = scope.slice(prefix.length);
    for (const reader of this.options.gitopsReaders) {
      if (forgetsRepositories(reader)) await reader.invalidateRepository(name);
    }
  }

  /** Readers forget the repository by name, or else by each URL an entity names it with. */
  private async forgetRepositories(
    targets: InvalidationTarget[],
    entities: Entity[],
  ): Promise<void> {
    const names = targets.flatMap(t =>
      'repository' in t ? [t.repository.toLowerCase()] : [],
    );
    if (names.length === 0) return;
    const urls = [
      ...new Set(
        entities
          .map(e => e.metadata.annotations?.[A.gitopsRepo])
          .filter(
            (url): url is string =>
              url !== undefined && names.includes(repositoryName(url)),
          ),
      ),
    ];
    for (const reader of this.options.gitopsReaders) {
      if (forgetsRepositories(reader)) {
        for (const name of names) await reader.invalidateRepository(name);
      } else if (reader.invalidate) {
        for (const url of urls.filter(u => reader.supports(u))) {
          await reader.invalidate(url);
        }
      }
    }
  }

  private async signal(entities: Entity[]): Promise<void> {
    const signals = this.options.signals;
    if (!signals) return;
    try {
      await Promise.all(
        entities.map(entity =>
          signals.publish({
            recipients: { type: 'broadcast' },
            channel: entitySignalChannel(stringifyEntityRef(entity)),
            message: { type: 'state-changed' },
          }),
        ),
      );
      await signals.publish({
        recipients: { type: 'broadcast' },
        channel: FLEET_SIGNAL_CHANNEL,
        message: { type: 'state-changed' },
      });
    } catch (error) {
      this.options.logger.warn(
        `Slipway invalidation: could not send signals: ${
          (error as Error).message
        }`,
      );
    }
  }
}
