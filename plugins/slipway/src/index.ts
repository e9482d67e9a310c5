/**
 * Slipway frontend plugin (legacy frontend system). The new frontend system
 * plugin is the default export of `@slipway/plugin-slipway/alpha`.
 *
 * @packageDocumentation
 */
export {
  slipwayPlugin,
  EntitySlipwayDeployContent,
  EntitySlipwayDeployCard,
  SlipwayFleetPage,
} from './plugin';
export { SlipwayPromotionsPage } from './plugin';
export { SlipwayFreezesPage, SlipwayPoliciesPage } from './plugin';
export { slipwayApiRef } from './api/slipwayApiRef';
export { fleetRouteRef } from './routes';
export { promotionRouteRef, promotionsRouteRef } from './routes';
export { freezesRouteRef, policiesRouteRef } from './routes';
export { isSlipwayAvailable } from './components/EntityDeployContent/isSlipwayAvailable';
