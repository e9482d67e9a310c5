import { LiveState, SecretHealth } from '../state';

/** The live facts the secrets rule reads. @public */
export type SecretsFacts = Pick<LiveState, 'secrets'>;

/**
 * How an environment's secret objects fare: `degraded` when one is Degraded
 * or Missing, `unknown` when the controller cannot tell for one,
 * `progressing` while one waits for its operator, `healthy` when all are.
 * @public
 */
export type SecretsStatus = 'healthy' | 'progressing' | 'degraded' | 'unknown';

/** The secrets verdict of one environment. @public */
export interface SecretsVerdict {
  status: SecretsStatus;
  /** One line: how many are healthy, or which objects are not and why. */
  reason: string;
  /** Number of secret objects reported, and of those that are healthy. */
  total: number;
  healthy: number;
}

/** How many failing objects a reason names before "and N more". */
const NAMED = 3;

const STATUS_OF: Record<SecretHealth['health'], SecretsStatus> = {
  Healthy: 'healthy',
  Progressing: 'progressing',
  Degraded: 'degraded',
  Missing: 'degraded',
  Suspended: 'unknown',
  Unknown: 'unknown',
};

/** Worst first: a failing object outweighs an unknown one, which outweighs a wait. */
const PRECEDENCE: SecretsStatus[] = ['degraded', 'unknown', 'progressing'];

/** `ExternalSecret db-credentials: Degraded — could not get secret data`. */
function describeSecret(secret: SecretHealth): string {
  const message = secret.message?.replace(/\s+/g, ' ').trim();
  return `${secret.kind} ${secret.name}: ${secret.health}${
    message ? ` — ${message}` : ''
  }`;
}

/**
 * Whether an environment's secrets are healthy, from the per-object health
 * the GitOps controller reports (Argo CD: ExternalSecret and SecretStore
 * `Ready`, SealedSecret `Synced`). `undefined` when none are reported (no
 * secret objects, or a controller without per-object health, such as Flux).
 *
 * @public
 */
export function secretsVerdict(
  live: SecretsFacts | undefined,
): SecretsVerdict | undefined {
  const secrets = live?.secrets ?? [];
  if (secrets.length === 0) return undefined;
  const total = secrets.length;
  const healthy = secrets.filter(s => STATUS_OF[s.health] === 'healthy').length;
  for (const status of PRECEDENCE) {
    const named = secrets.filter(s => STATUS_OF[s.health] === status);
    if (named.length === 0) continue;
    const shown = named.slice(0, NAMED).map(describeSecret).join('; ');
    const more =
      named.length > NAMED ? `; and ${named.length - NAMED} more` : '';
    return { status, reason: `${shown}${more}`, total, healthy };
  }
  return {
    status: 'healthy',
    reason:
      total === 1
        ? describeSecret(secrets[0])
        : `All ${total} secret objects are Healthy`,
    total,
    healthy,
  };
}
