import { Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  PromotionPolicy,
  policySelects,
  policySubjectOf,
  slipwayPolicyUpdatePermission,
} from '@slipway/plugin-slipway-common';
import { useCallback, useMemo } from 'react';
import { useLiveQuery } from '../../hooks/useLiveQuery';

const FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'spec.owner',
  'spec.system',
];

/**
 * The catalog entities a policy could select: components, plus any other
 * kind a policy names. Read with the signed-in user's catalog access.
 */
export function useSelectableEntities(kinds: string[]) {
  const catalogApi = useApi(catalogApiRef);
  const wanted = useMemo(
    () =>
      Array.from(
        new Set(['component', ...kinds.map(k => k.toLocaleLowerCase('en-US'))]),
      ).sort(),
    [kinds],
  );
  const fetcher = useCallback(
    async () =>
      (
        await catalogApi.getEntities({
          filter: { kind: wanted },
          fields: FIELDS,
        })
      ).items,
    [catalogApi, wanted],
  );
  return useLiveQuery<Entity[]>(`entities:${wanted.join(',')}`, fetcher);
}

/** The entities a policy selects, decided by slipway-common's `policySelects`. */
export function matchingEntities(
  policy: PromotionPolicy,
  entities: Entity[],
): Entity[] {
  return entities.filter(entity =>
    policySelects(policy, policySubjectOf(entity)),
  );
}

/** Whether the user may save policies; the server refuses them anyway. */
export function useCanEditPolicies(): { loading: boolean; allowed: boolean } {
  const { loading, allowed } = usePermission({
    permission: slipwayPolicyUpdatePermission,
  });
  return { loading, allowed };
}
