import { useRouteRef } from '@backstage/core-plugin-api';
import { promotionRouteRef, promotionsRouteRef } from '../../routes';

const FALLBACK = '/slipway/promotions';

/**
 * Link to a promotion's page; the default path when the page is not
 * mounted. `useRouteRef` runs all its hooks before it throws for an
 * unmounted route, so catching keeps the hook order stable.
 */
export function usePromotionLink(): (id: string) => string {
  let route: ((params: { id: string }) => string) | undefined;
  try {
    // Always called; the catch only turns "not mounted" into a fallback.
    // eslint-disable-next-line react-hooks/rules-of-hooks
    route = useRouteRef(promotionRouteRef);
  } catch {
    route = undefined;
  }
  return (id: string) =>
    route ? route({ id }) : `${FALLBACK}/${encodeURIComponent(id)}`;
}

/** Link to the promotions list. */
export function usePromotionsLink(): string {
  let route: (() => string) | undefined;
  try {
    // eslint-disable-next-line react-hooks/rules-of-hooks
    route = useRouteRef(promotionsRouteRef);
  } catch {
    route = undefined;
  }
  return route ? route() : FALLBACK;
}
