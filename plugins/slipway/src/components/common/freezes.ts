import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Freeze } from '@slipway/plugin-slipway-common';

function refOf(value: unknown, kind: string): string | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(value, { defaultKind: kind, defaultNamespace: 'default' }),
    );
  } catch {
    return undefined;
  }
}

/** Freezes that have not been lifted and have not ended at `now`. */
export function activeFreezes(freezes: Freeze[], now: number): Freeze[] {
  return freezes.filter(
    freeze =>
      !freeze.liftedAt && (!freeze.until || Date.parse(freeze.until) > now),
  );
}

/**
 * The freezes that cover an entity in any of its environments: global,
 * one of the environments, its system, its owner, or the entity itself.
 * The same scopes the promotion engine applies (`freezesCovering`).
 */
export function freezesAffecting(
  freezes: Freeze[],
  entity: Entity,
  environments: string[],
): Freeze[] {
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  const entityRef = stringifyEntityRef(entity);
  const owner = refOf(spec.owner, 'group');
  const system = refOf(spec.system, 'system');
  return freezes.filter(freeze => {
    switch (freeze.scope) {
      case 'global':
        return true;
      case 'environment':
        return (
          freeze.target !== undefined && environments.includes(freeze.target)
        );
      case 'system':
        return freeze.target !== undefined && freeze.target === system;
      case 'owner':
        return freeze.target !== undefined && freeze.target === owner;
      case 'entity':
        return freeze.target === entityRef;
      default:
        return false;
    }
  });
}

/** "Stop the line", "Environment prod", "System commerce", … */
export function freezeScopeLabel(freeze: Freeze): string {
  if (freeze.scope === 'global') return 'Stop the line: every deployment';
  const target = freeze.target ?? '';
  let name = target;
  if (freeze.scope !== 'environment') {
    try {
      name = parseEntityRef(target).name;
    } catch {
      name = target;
    }
  }
  const scope = {
    environment: 'Environment',
    system: 'System',
    owner: 'Owner',
    entity: 'Service',
  }[freeze.scope];
  return `${scope} ${name}`;
}
