/**
 * Names of the signal channels the backend publishes state changes on and
 * the frontend listens to. Change them here only.
 */

/** Signal channel of the fleet view. @public */
export const FLEET_SIGNAL_CHANNEL = 'slipway:fleet';

/** Signal channel of one entity's deploy state (`slipway:entity:<ref>`). @public */
export function entitySignalChannel(entityRef: string): string {
  return `slipway:entity:${entityRef}`;
}

/** Signal channel of freezes: created or lifted. @public */
export const FREEZES_SIGNAL_CHANNEL = 'slipway:freezes';

/** Signal channel of an entity's promotions (`{ id, state }` on every transition). @public */
export function promotionSignalChannel(entityRef: string): string {
  return `slipway:promotions:${entityRef}`;
}
