import { Entity } from '@backstage/catalog-model';
import { hasSlipwayAnnotations } from '@slipway/plugin-slipway-common';

/**
 * True when the Deploy tab has something to work with. Entities without
 * any of the annotations still get the tab when the app shows it
 * unconditionally; it then names what is missing.
 *
 * @public
 */
export function isSlipwayAvailable(entity: Entity): boolean {
  return hasSlipwayAnnotations(entity);
}
