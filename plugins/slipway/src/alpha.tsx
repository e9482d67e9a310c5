import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  ApiBlueprint,
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { SlipwayClient } from '@slipway/plugin-slipway-common';
import DeviceHub from '@material-ui/icons/DeviceHub';
import { slipwayApiRef } from './api/slipwayApiRef';
import { fleetRouteRef } from './routes';

const fleetRoute = convertLegacyRouteRef(fleetRouteRef);

const slipwayApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: slipwayApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new SlipwayClient({ discoveryApi, fetchApi }),
    }),
});

const deployContent = EntityContentBlueprint.make({
  name: 'deploy',
  params: {
    path: '/deploy',
    title: 'Deploy',
    // Shown for components; entities without Slipway or Argo CD
    // annotations get a setup card naming what is missing.
    filter: 'kind:component',
    loader: () =>
      import('./components/EntityDeployContent').then(m => (
        <m.EntityDeployContent />
      )),
  },
});

/**
 * The fleet page. Frontend-plugin-api 0.18 removed `NavItemBlueprint`: the
 * sidebar item comes from this page's `title` and `icon`.
 */
const fleetPage = PageBlueprint.make({
  name: 'fleet',
  params: {
    path: '/slipway/fleet',
    title: 'Deploy fleet',
    icon: <DeviceHub fontSize="inherit" />,
    routeRef: fleetRoute,
    loader: () =>
      import('./components/FleetPage').then(m => <m.FleetPageContent />),
  },
});

/**
 * Slipway for apps on the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'slipway',
  routes: { fleet: fleetRoute },
  extensions: [slipwayApi, deployContent, fleetPage],
});
