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
