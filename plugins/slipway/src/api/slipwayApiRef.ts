import { createApiRef } from '@backstage/core-plugin-api';
import { SlipwayApi } from '@slipway/plugin-slipway-common';

/** The Slipway backend API. @public */
export const slipwayApiRef = createApiRef<SlipwayApi>({
  id: 'plugin.slipway.api',
});
