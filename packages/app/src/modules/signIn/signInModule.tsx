import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';

const devSignInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => import('./DevSignInPage').then(m => m.DevSignInPage),
  },
});

/**
 * Replaces the app's default sign-in page (guest only) with one that also
 * signs in as any example user when the backend offers it (development).
 */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [devSignInPage],
});
