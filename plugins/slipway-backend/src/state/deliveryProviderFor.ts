import { EntityDeployConfig } from '@slipway/plugin-slipway-common';
import { DeliveryProvider } from '@slipway/plugin-slipway-node';
import { FLUX_PROVIDER_PREFIX } from '../providers/FluxProvider';

/** True for the providers of Flux clusters (ids `flux:<cluster>`). */
function isFluxProvider(provider: DeliveryProvider): boolean {
  return provider.id.startsWith(FLUX_PROVIDER_PREFIX);
}

/**
 * What an entity's delivery annotations select, in the shape of
 * `config.argocd`: the Flux selector and cluster of a Flux entity, else
 * the Argo CD selector or name and instance.
 */
export function deliverySelection(
  config: Pick<EntityDeployConfig, 'argocd' | 'flux'>,
): EntityDeployConfig['argocd'] {
  return config.flux
    ? { appSelector: config.flux.selector, instance: config.flux.cluster }
    : config.argocd;
}

/**
 * The delivery provider serving an entity: for `slipway.dev/flux-selector`
 * the Flux cluster it names (default: the first), else the Argo CD
 * instance it names (default: the first that is not Flux).
 */
export function deliveryProviderFor(
  providers: DeliveryProvider[],
  config: Pick<EntityDeployConfig, 'argocd' | 'flux'>,
): DeliveryProvider | undefined {
  const flux = Boolean(config.flux);
  const candidates = providers.filter(p => isFluxProvider(p) === flux);
  const instance = deliverySelection(config)?.instance;
  return instance
    ? candidates.find(p => p.instance === instance)
    : candidates[0];
}
