import { SandboxVendor } from '../types';

export type FaultMode =
  | 'latency'
  | 'error'
  | 'timeout'
  | 'rate-limit'
  | 'malformed'
  | 'push-race'
  | 'push-reject';

/** Push fault modes: they apply to authenticated receive-pack requests only. */
export const PUSH_FAULT_MODES: readonly FaultMode[] = [
  'push-race',
  'push-reject',
];

/**
 * When a `push-race` strikes: `advertise` moves the branch before the client
 * reads the refs it pushes against (the client refuses its own push as not a
 * fast-forward, "fetch first"); `update` moves it after that, just before the
 * server applies the push (the server's compare-and-swap fails: "cannot lock
 * ref ... is at X but expected Y").
 */
export type PushRaceStage = 'advertise' | 'update';

/** A fault injected into the answers of one vendor. */
export interface FaultRule {
  vendor: SandboxVendor;
  /** Only requests whose path starts with this. */
  pathPrefix?: string;
  /** Only requests with this method (case-insensitive). */
  method?: string;
  mode: FaultMode;
  /** latency: delay before the normal answer. */
  latencyMs?: number;
  /** error: 5xx status (default 503); rate-limit: 403 or 429 (default 403). */
  status?: number;
  /** rate-limit: Retry-After header value; absent or null sends none. */
  retryAfterSeconds?: number;
  /** rate-limit: x-ratelimit-reset (epoch seconds); default now + 60. */
  resetEpochSeconds?: number;
  /** How many requests the rule applies to; absent = until cleared. */
  times?: number;
  /** push-reject: the reason on the `ng <ref> <reason>` status line. */
  message?: string;
  /** push-race: when the concurrent commit lands (default `advertise`). */
  at?: PushRaceStage;
  /** push-race at `advertise`: the branch that moves (default `main`). */
  branch?: string;
}

const VENDORS: SandboxVendor[] = [
  'github',
  'gitlab',
  'git',
  'argocd',
  'harbor',
  'sonarqube',
  'flux',
];
const MODES: FaultMode[] = [
  'latency',
  'error',
  'timeout',
  'rate-limit',
  'malformed',
  'push-race',
  'push-reject',
];
const KEYS = new Set([
  'vendor',
  'pathPrefix',
  'method',
  'mode',
  'latencyMs',
  'status',
  'retryAfterSeconds',
  'resetEpochSeconds',
  'times',
  'message',
  'at',
  'branch',
]);

function isInteger(value: unknown, min: number, max: number): value is number {
  return (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= min &&
    value <= max
  );
}

/** Validates admin input: a list of rules, or `{ rules: [...] }`. */
export function parseFaultRules(
  input: unknown,
): { rules: FaultRule[] } | { errors: string[] } {
  let list: unknown[] | undefined;
  if (Array.isArray(input)) {
    list = input;
  } else if (
    input &&
    typeof input === 'object' &&
    Array.isArray((input as { rules?: unknown }).rules)
  ) {
    list = (input as { rules: unknown[] }).rules;
  }
  if (!list) {
    return {
      errors: [
        'body must be a JSON array of fault rules (or { "rules": [...] })',
      ],
    };
  }
  if (list.length > 100) {
    return { errors: ['at most 100 rules'] };
  }
  const errors: string[] = [];
  const rules: FaultRule[] = [];
  for (const [index, item] of list.entries()) {
    const at = `rules[${index}]`;
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      errors.push(`${at}: must be an object`);
      continue;
    }
    const raw = item as Record<string, unknown>;
    for (const key of Object.keys(raw)) {
      if (!KEYS.has(key)) errors.push(`${at}.${key}: unknown property`);
    }
    if (!VENDORS.includes(raw.vendor as SandboxVendor)) {
      errors.push(`${at}.vendor: must be one of ${VENDORS.join(', ')}`);
    }
    if (!MODES.includes(raw.mode as FaultMode)) {
      errors.push(`${at}.mode: must be one of ${MODES.join(', ')}`);
    }
    if (
      raw.pathPrefix !== undefined &&
      (typeof raw.pathPrefix !== 'string' ||
        !raw.pathPrefix.startsWith('/') ||
        raw.pathPrefix.length > 500)
    ) {
      errors.push(`${at}.pathPrefix: must be a string starting with "/"`);
    }
    if (
      raw.method !== undefined &&
      (typeof raw.method !== 'string' || !/^[A-Za-z]{3,7}$/.test(raw.method))
    ) {
      errors.push(`${at}.method: must be an HTTP method`);
    }
    if (raw.latencyMs !== undefined && !isInteger(raw.latencyMs, 0, 120_000)) {
      errors.push(`${at}.latencyMs: must be an integer between 0 and 120000`);
    }
    if (raw.mode === 'latency' && raw.latencyMs === undefined) {
      errors.push(`${at}.latencyMs: required for mode latency`);
    }
    if (raw.status !== undefined) {
      const okError = raw.mode === 'error' && isInteger(raw.status, 500, 599);
      const okRate =
        raw.mode === 'rate-limit' && (raw.status === 403 || raw.status === 429);
      if (!okError && !okRate) {
        errors.push(
          `${at}.status: must be 5xx for mode error, 403 or 429 for mode rate-limit`,
        );
      }
    }
    if (
      raw.retryAfterSeconds !== undefined &&
      raw.retryAfterSeconds !== null &&
      !isInteger(raw.retryAfterSeconds, 0, 86_400)
    ) {
      errors.push(
        `${at}.retryAfterSeconds: must be null or an integer between 0 and 86400`,
      );
    }
    if (
      raw.resetEpochSeconds !== undefined &&
      !isInteger(raw.resetEpochSeconds, 0, 99_999_999_999)
    ) {
      errors.push(`${at}.resetEpochSeconds: must be epoch seconds`);
    }
    if (raw.times !== undefined && !isInteger(raw.times, 1, 1_000_000)) {
      errors.push(`${at}.times: must be a positive integer`);
    }
    if (
      (raw.mode === 'push-race' || raw.mode === 'push-reject') &&
      raw.vendor !== 'git'
    ) {
      errors.push(`${at}.mode: ${String(raw.mode)} needs vendor git`);
    }
    if (raw.message !== undefined || raw.mode === 'push-reject') {
      if (
        raw.mode !== 'push-reject' ||
        typeof raw.message !== 'string' ||
        raw.message.length === 0 ||
        raw.message.length > 500 ||
        // eslint-disable-next-line no-control-regex
        /[\u0000-\u001f\u007f]/.test(raw.message)
      ) {
        errors.push(
          `${at}.message: mode push-reject needs a one-line message of at most 500 characters (only push-reject takes one)`,
        );
      }
    }
    if (
      raw.at !== undefined &&
      (raw.mode !== 'push-race' ||
        (raw.at !== 'advertise' && raw.at !== 'update'))
    ) {
      errors.push(`${at}.at: "advertise" or "update", for mode push-race only`);
    }
    if (
      raw.branch !== undefined &&
      (raw.mode !== 'push-race' ||
        typeof raw.branch !== 'string' ||
        !/^[A-Za-z0-9._/-]{1,200}$/.test(raw.branch) ||
        raw.branch.includes('..') ||
        raw.branch.startsWith('/') ||
        raw.branch.endsWith('/'))
    ) {
      errors.push(`${at}.branch: a branch name, for mode push-race only`);
    }
    rules.push({
      vendor: raw.vendor as SandboxVendor,
      mode: raw.mode as FaultMode,
      pathPrefix: raw.pathPrefix as string | undefined,
      method:
        typeof raw.method === 'string' ? raw.method.toUpperCase() : undefined,
      latencyMs: raw.latencyMs as number | undefined,
      status: raw.status as number | undefined,
      retryAfterSeconds:
        raw.retryAfterSeconds === null
          ? undefined
          : (raw.retryAfterSeconds as number | undefined),
      resetEpochSeconds: raw.resetEpochSeconds as number | undefined,
      times: raw.times as number | undefined,
      message: raw.message as string | undefined,
      at: raw.at as PushRaceStage | undefined,
      branch: raw.branch as string | undefined,
    });
  }
  return errors.length > 0 ? { errors } : { rules };
}
