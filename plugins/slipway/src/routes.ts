import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';

/** The fleet page (services × environments). @public */
export const fleetRouteRef = createRouteRef({ id: 'slipway-fleet' });

/** Promotion policies, for platform admins and readers (`/slipway/policies`). @public */
export const policiesRouteRef = createRouteRef({ id: 'slipway-policies' });

/** Freezes and "stop the line" (`/slipway/freezes`). @public */
export const freezesRouteRef = createRouteRef({ id: 'slipway-freezes' });

/** The list of promotions (`/slipway/promotions`). @public */
export const promotionsRouteRef = createRouteRef({ id: 'slipway-promotions' });

/** One promotion (`/slipway/promotions/:id`), below the list. @public */
export const promotionRouteRef = createSubRouteRef({
  id: 'slipway-promotion',
  parent: promotionsRouteRef,
  path: '/:id',
});
