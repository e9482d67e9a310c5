import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { SlipwayClient } from '@slipway/plugin-slipway-common';
import { slipwayApiRef } from './api/slipwayApiRef';
import { fleetRouteRef } from './routes';
import { promotionRouteRef, promotionsRouteRef } from './routes';
import { freezesRouteRef, policiesRouteRef } from './routes';

/**
 * Slipway for apps on the legacy frontend system.
 *
 * @public
 */
export const slipwayPlugin = createPlugin({
  id: 'slipway',
  apis: [
    createApiFactory({
      api: slipwayApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new SlipwayClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    fleet: fleetRouteRef,
    promotions: promotionsRouteRef,
    promotion: promotionRouteRef,
    policies: policiesRouteRef,
    freezes: freezesRouteRef,
  },
});

/**
 * The Deploy tab, for `EntityLayout.Route` on the legacy frontend system.
 *
 * @public
 */
export const EntitySlipwayDeployContent = slipwayPlugin.provide(
  createComponentExtension({
    name: 'EntitySlipwayDeployContent',
    component: {
      lazy: () =>
        import('./components/EntityDeployContent').then(
          m => m.EntityDeployContent,
        ),
    },
  }),
);

/**
 * Overview-tab summary for `EntityLayout.Route path="/"` on the legacy
 * frontend system: one line per environment with version, verdict and age,
 * linking to the Deploy tab.
 *
 * @public
 */
export const EntitySlipwayDeployCard = slipwayPlugin.provide(
  createComponentExtension({
    name: 'EntitySlipwayDeployCard',
    component: {
      lazy: () =>
        import('./components/EntityDeployContent/EntityDeployCard').then(
          m => m.EntityDeployCard,
        ),
    },
  }),
);

/**
 * The fleet page (services × environments), for a `Route` on the legacy
 * frontend system, e.g. at `/slipway/fleet`.
 *
 * @public
 */
export const SlipwayFleetPage = slipwayPlugin.provide(
  createRoutableExtension({
    name: 'SlipwayFleetPage',
    component: () => import('./components/FleetPage').then(m => m.FleetPage),
    mountPoint: fleetRouteRef,
  }),
);

/**
 * The promotions pages (the list, and one promotion at `/:id` below it),
 * for a `Route` on the legacy frontend system, e.g. at
 * `/slipway/promotions`.
 *
 * @public
 */
export const SlipwayPromotionsPage = slipwayPlugin.provide(
  createRoutableExtension({
    name: 'SlipwayPromotionsPage',
    component: () =>
      import('./components/PromotionsPage').then(m => m.PromotionsPage),
    mountPoint: promotionsRouteRef,
  }),
);

/**
 * Promotion policies (list, details with history and diff, editor), for a
 * `Route` on the legacy frontend system, e.g. at `/slipway/policies`.
 *
 * @public
 */
export const SlipwayPoliciesPage = slipwayPlugin.provide(
  createRoutableExtension({
    name: 'SlipwayPoliciesPage',
    component: () =>
      import('./components/PoliciesPage').then(m => m.PoliciesPage),
    mountPoint: policiesRouteRef,
  }),
);

/**
 * Freezes and "stop the line", for a `Route` on the legacy frontend system,
 * e.g. at `/slipway/freezes`.
 *
 * @public
 */
export const SlipwayFreezesPage = slipwayPlugin.provide(
  createRoutableExtension({
    name: 'SlipwayFreezesPage',
    component: () =>
      import('./components/FreezesPage').then(m => m.FreezesPage),
    mountPoint: freezesRouteRef,
  }),
);
