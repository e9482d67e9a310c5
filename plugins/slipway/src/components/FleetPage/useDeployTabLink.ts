import { parseEntityRef } from '@backstage/catalog-model';
import { useRouteRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';

/** Builds the link to an entity's Deploy tab from its entity ref. */
export function useDeployTabLink(): (entityRef: string) => string {
  const entityRoute = useRouteRef(entityRouteRef);
  return (entityRef: string) => {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    const base = entityRoute({
      kind: kind.toLocaleLowerCase('en-US'),
      namespace: namespace.toLocaleLowerCase('en-US'),
      name,
    });
    return `${base.replace(/\/$/, '')}/deploy`;
  };
}
