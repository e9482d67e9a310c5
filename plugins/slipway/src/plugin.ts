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
