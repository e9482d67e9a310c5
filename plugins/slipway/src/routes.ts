import { createRouteRef } from '@backstage/core-plugin-api';

/** The fleet page (services × environments). @public */
export const fleetRouteRef = createRouteRef({ id: 'slipway-fleet' });
