import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { SlipwayClient } from '@slipway/plugin-slipway-common';
import { slipwayApiRef } from './api/slipwayApiRef';

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
