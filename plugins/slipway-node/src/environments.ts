import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { isDnsLabel, SlipwayEnvironment } from '@slipway/plugin-slipway-common';

/** The environments used when `slipway.environments` is not set. @public */
export const DEFAULT_ENVIRONMENTS: SlipwayEnvironment[] = [
  { name: 'dev', syncMode: 'auto' },
  { name: 'staging', syncMode: 'manual' },
  { name: 'prod', syncMode: 'manual' },
];

/**
 * Reads and checks `slipway.environments` (names are DNS-1123 labels, each
 * once; `syncMode` is `auto` or `manual`, default `manual`); bad config fails
 * start-up. The one reader of this key: the backend and the scaffolder
 * module both call it.
 *
 * @public
 */
export function readEnvironments(config: Config): SlipwayEnvironment[] {
  const entries = config.getOptionalConfigArray('slipway.environments');
  if (!entries) return DEFAULT_ENVIRONMENTS.map(env => ({ ...env }));
  const seen = new Set<string>();
  return entries.map(entry => {
    const name = entry.getString('name');
    if (!isDnsLabel(name)) {
      throw new InputError(
        `slipway.environments: "${name}" is not a DNS-1123 label`,
      );
    }
    if (seen.has(name)) {
      throw new InputError(`slipway.environments: "${name}" appears twice`);
    }
    seen.add(name);
    const syncMode = entry.getOptionalString('syncMode') ?? 'manual';
    if (syncMode !== 'auto' && syncMode !== 'manual') {
      throw new InputError(
        `slipway.environments: syncMode of "${name}" must be auto or manual`,
      );
    }
    return { name, syncMode };
  });
}
