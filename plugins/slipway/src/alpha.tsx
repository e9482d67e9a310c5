import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  ApiBlueprint,
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { SlipwayClient } from '@slipway/plugin-slipway-common';
import DeviceHub from '@material-ui/icons/DeviceHub';
import LowPriority from '@material-ui/icons/LowPriority';
import Gavel from '@material-ui/icons/Gavel';
import AcUnit from '@material-ui/icons/AcUnit';
import { slipwayApiRef } from './api/slipwayApiRef';
import { fleetRouteRef } from './routes';
import { promotionRouteRef, promotionsRouteRef } from './routes';
import { freezesRouteRef, policiesRouteRef } from './routes';

const fleetRoute = convertLegacyRouteRef(fleetRouteRef);
const promotionsRoute = convertLegacyRouteRef(promotionsRouteRef);
const promotionRoute = convertLegacyRouteRef(promotionRouteRef);
const policiesRoute = convertLegacyRouteRef(policiesRouteRef);
const freezesRoute = convertLegacyRouteRef(freezesRouteRef);

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

/** Overview-tab summary: version, verdict and age per environment. */
const deployCard = EntityCardBlueprint.make({
  name: 'deploy',
  params: {
    filter: 'kind:component',
    loader: () =>
      import('./components/EntityDeployContent/EntityDeployCard').then(m => (
        <m.EntityDeployCard />
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

/** Promotions: the list at `/slipway/promotions`, one promotion below it. */
const promotionsPage = PageBlueprint.make({
  name: 'promotions',
  params: {
    path: '/slipway/promotions',
    title: 'Promotions',
    icon: <LowPriority fontSize="inherit" />,
    routeRef: promotionsRoute,
    loader: () =>
      import('./components/PromotionsPage').then(m => (
        <m.PromotionsPageContent />
      )),
  },
});

/** Promotion policies: everyone reads, platform admins edit. */
const policiesPage = PageBlueprint.make({
  name: 'policies',
  params: {
    path: '/slipway/policies',
    title: 'Promotion policies',
    icon: <Gavel fontSize="inherit" />,
    routeRef: policiesRoute,
    loader: () =>
      import('./components/PoliciesPage').then(m => <m.PoliciesPageContent />),
  },
});

/** Freezes and "stop the line": everyone reads, freeze managers set and lift. */
const freezesPage = PageBlueprint.make({
  name: 'freezes',
  params: {
    path: '/slipway/freezes',
    title: 'Freezes',
    icon: <AcUnit fontSize="inherit" />,
    routeRef: freezesRoute,
    loader: () =>
      import('./components/FreezesPage').then(m => <m.FreezesPageContent />),
  },
});

/**
 * Slipway for apps on the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'slipway',
  routes: {
    fleet: fleetRoute,
    promotions: promotionsRoute,
    promotion: promotionRoute,
    policies: policiesRoute,
    freezes: freezesRoute,
  },
  extensions: [
    slipwayApi,
    deployContent,
    deployCard,
    fleetPage,
    promotionsPage,
    policiesPage,
    freezesPage,
  ],
});
