import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EntityDeployConfig,
  readEntityDeployConfig,
  SlipwayEnvironment,
} from '@slipway/plugin-slipway-common';
import { SlipwayProvider } from '@slipway/plugin-slipway-node';

/**
 * Resolves what Slipway knows about an entity. The entity is read through the
 * catalog with the caller's credentials, so an entity the caller may not see
 * is not found, and nothing else is asked.
 */
export class EntityConfigService {
  static create(options: {
    catalog: CatalogService;
    environments: SlipwayEnvironment[];
    providers: SlipwayProvider[];
  }): EntityConfigService {
    return new EntityConfigService(
      options.catalog,
      options.environments,
      options.providers,
    );
  }

  private constructor(
    private readonly catalog: CatalogService,
    private readonly environments: SlipwayEnvironment[],
    private readonly providers: SlipwayProvider[],
  ) {}

  async getConfig(
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
    return readEntityDeployConfig(entity, {
      environments: this.environments,
      providers: this.providers.map(p => ({ kind: p.kind, id: p.id })),
    });
  }
}
