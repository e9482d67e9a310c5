import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { HomePageLayoutBlueprint } from '@backstage/plugin-home-react/alpha';

/** A fixed home page instead of the empty, editable widget grid. */
const slipwayHomeLayout = HomePageLayoutBlueprint.make({
  name: 'slipway',
  params: {
    loader: async () => (await import('./SlipwayHomeLayout')).SlipwayHomeLayout,
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [slipwayHomeLayout],
});
