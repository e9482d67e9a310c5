import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { ProviderKind } from '@slipway/plugin-slipway-common';

/**
 * A provider Slipway reads from: a CI system, a registry or scanner, a
 * quality gate, a delivery engine or a GitOps repository host. The
 * kind-specific methods arrive with the deploy-state API; every provider has
 * an id and says which entities it can serve.
 *
 * @public
 */
export interface SlipwayProvider {
  /** Stable id, e.g. `github-actions`, `harbor`, `argocd:main`. */
  readonly id: string;
  readonly kind: ProviderKind;
}

/**
 * Extension point through which backend modules add providers.
 *
 * @public
 */
export interface SlipwayProvidersExtensionPoint {
  addProvider(...providers: SlipwayProvider[]): void;
}

/** @public */
export const slipwayProvidersExtensionPoint =
  createExtensionPoint<SlipwayProvidersExtensionPoint>({
    id: 'slipway.providers',
  });
