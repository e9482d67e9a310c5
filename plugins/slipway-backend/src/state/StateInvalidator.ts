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
  /** Argo CD reported on an Application (or on one it did not name). */
  | { delivery: { application?: string } };

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

/** The cache scopes a target names. */
export function scopesOf(target: InvalidationTarget): string[] {
  if ('repository' in target) {
    return [gitopsScope(target.repository), ciScope(target.repository)];
  }
  if ('registryRepository' in target) {
    return [artifactsScope(target.registryRepository)];
  }
  return [DELIVERY_SCOPE];
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
  const app = target.delivery.application;
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
  }): StateInvalidator {
    return new StateInvalidator(options);
  }

  private constructor(
    private readonly options: {
      sources: SourceCache;
      gitopsReaders: GitOpsReaderProvider[];
      catalog: CatalogService;
      auth: AuthService;
      signals?: SignalsService;
      logger: LoggerService;
    },
  ) {}

  async invalidate(targets: InvalidationTarget[]): Promise<void> {
    await this.options.sources.invalidate(targets.flatMap(scopesOf));
    const entities = await this.entitiesWithGitops();
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
