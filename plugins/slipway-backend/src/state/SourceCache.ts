import { CacheService } from '@backstage/backend-plugin-api';
import {
  SourceKind,
  SourceReport,
  SourceStatus,
} from '@slipway/plugin-slipway-common';
import {
  ProviderCallContext,
  UpstreamError,
} from '@slipway/plugin-slipway-node';
import crypto from 'node:crypto';

/** The outcome of reading one source: data (fresh or stale) and its report. */
export interface SourceResult<T> {
  value?: T;
  report: SourceReport;
}

/** What identifies one cached upstream read. */
export interface SourceSpec {
  /** Provider id shown in the report. */
  source: string;
  kind: SourceKind;
  /** Invalidation scope (webhooks bump it), e.g. `gitops:acme/gitops`. */
  scope: string;
  /** Key of this read inside the scope. */
  key: string;
  /** Bypass the cache and never serve stale data (fails closed). */
  fresh?: boolean;
  /** How long a value is served without asking again; defaults to the cache's. */
  ttlMs?: number;
}

interface Entry<T> {
  value: T;
  at: number;
}

interface Backoff {
  retryAt: number;
  message: string;
}

const STATUS_RANK: SourceStatus[] = [
  'error',
  'rate-limited',
  'stale',
  'unconfigured',
  'ok',
];

/** Merges reports of the same source (several reads): the worst status wins. */
export function mergeReports(reports: SourceReport[]): SourceReport[] {
  const bySource = new Map<string, SourceReport>();
  for (const report of reports) {
    const seen = bySource.get(report.source);
    if (!seen) {
      bySource.set(report.source, { ...report });
      continue;
    }
    if (STATUS_RANK.indexOf(report.status) < STATUS_RANK.indexOf(seen.status)) {
      seen.status = report.status;
      seen.message = report.message;
      seen.retryAt = report.retryAt;
    }
    if (
      report.fetchedAt &&
      (!seen.fetchedAt || report.fetchedAt < seen.fetchedAt)
    ) {
      seen.fetchedAt = report.fetchedAt;
    }
  }
  return [...bySource.values()];
}

function hash(text: string): string {
  return crypto
    .createHash('sha256')
    .update(text)
    .digest('base64url')
    .slice(0, 32);
}

/**
 * Reads upstream sources through the CacheService: single-flight per key in
 * this process, a fresh window, stale copies served (marked `stale`) when the
 * upstream fails, bounded rate-limit back-off shared through the cache, and
 * a time budget per call. Webhooks bump a scope's generation, which makes
 * every entry of the scope unreachable at once (on every replica).
 */
export class SourceCache {
  private readonly inflight = new Map<string, Promise<SourceResult<unknown>>>();
  /**
   * Deserialised copies of recent fresh answers in this process: large
   * answers (a fleet's application list) are not deserialised from the
   * CacheService on every read. Keys carry the scope generation, so a
   * webhook's invalidation reaches them too.
   */
  private readonly local = new Map<string, Entry<unknown>>();
  private static readonly LOCAL_ENTRIES = 500;

  static create(options: {
    cache: CacheService;
    ttlMs?: number;
    staleTtlMs?: number;
    timeoutMs?: number;
    now?: () => number;
  }): SourceCache {
    return new SourceCache(
      options.cache,
      options.ttlMs ?? 30_000,
      options.staleTtlMs ?? 3_600_000,
      options.timeoutMs ?? 3_000,
      options.now ?? Date.now,
    );
  }

  private constructor(
    private readonly cache: CacheService,
    private readonly ttlMs: number,
    private readonly staleTtlMs: number,
    readonly timeoutMs: number,
    private readonly now: () => number,
  ) {}

  /** Makes every entry of the scopes unreachable. */
  async invalidate(scopes: string[]): Promise<void> {
    await Promise.all(
      scopes.map(scope =>
        this.cache.set(`gen:${hash(scope)}`, crypto.randomUUID(), {
          ttl: this.staleTtlMs * 2,
        }),
      ),
    );
  }

  private async keyOf(spec: SourceSpec): Promise<string> {
    const generation = ((await this.cache.get<string>(
      `gen:${hash(spec.scope)}`,
    )) ?? '0') as string;
    return `src:${hash(`${spec.scope}\n${generation}\n${spec.key}`)}`;
  }

  async run<T>(
    spec: SourceSpec,
    load: (context: ProviderCallContext) => Promise<T>,
  ): Promise<SourceResult<T>> {
    const key = await this.keyOf(spec);
    const ttl = spec.ttlMs ?? this.ttlMs;
    const local = this.local.get(key) as Entry<T> | undefined;
    if (!spec.fresh && local && this.now() - local.at < ttl) {
      return {
        value: local.value,
        report: {
          source: spec.source,
          kind: spec.kind,
          status: 'ok',
          fetchedAt: new Date(local.at).toISOString(),
        },
      };
    }
    const shared = (await this.cache.get(key)) as Entry<T> | undefined;
    // The newer of the shared and the local copy.
    const entry = shared && (!local || shared.at >= local.at) ? shared : local;
    const now = this.now();
    const base = { source: spec.source, kind: spec.kind };
    if (!spec.fresh && entry && now - entry.at < ttl) {
      return {
        value: entry.value,
        report: {
          ...base,
          status: 'ok',
          fetchedAt: new Date(entry.at).toISOString(),
        },
      };
    }
    const backoff = (await this.cache.get(`backoff:${key}`)) as
      | Backoff
      | undefined;
    if (backoff && backoff.retryAt > now) {
      return this.rateLimited(spec, entry, backoff);
    }
    const flightKey = `${spec.fresh ? 'fresh' : 'cached'}:${key}`;
    let flight = this.inflight.get(flightKey) as
      | Promise<SourceResult<T>>
      | undefined;
    if (!flight) {
      flight = this.load(spec, key, entry, load).finally(() =>
        this.inflight.delete(flightKey),
      );
      this.inflight.set(flightKey, flight);
    }
    return flight;
  }

  /**
   * What the cache holds for a read, without asking the upstream: `ok`
   * inside the fresh window, `stale` after it, undefined when nothing is
   * held. For views (the fleet) that must not fan out per entity.
   */
  async peek<T>(spec: SourceSpec): Promise<SourceResult<T> | undefined> {
    const key = await this.keyOf(spec);
    const local = this.local.get(key) as Entry<T> | undefined;
    const shared = local
      ? undefined
      : ((await this.cache.get(key)) as Entry<T> | undefined);
    const entry = local ?? shared;
    if (!entry) return undefined;
    const fresh = this.now() - entry.at < (spec.ttlMs ?? this.ttlMs);
    return {
      value: entry.value,
      report: {
        source: spec.source,
        kind: spec.kind,
        status: fresh ? 'ok' : 'stale',
        fetchedAt: new Date(entry.at).toISOString(),
      },
    };
  }

  private remember(key: string, entry: Entry<unknown>) {
    this.local.delete(key);
    this.local.set(key, entry);
    if (this.local.size > SourceCache.LOCAL_ENTRIES) {
      const oldest = this.local.keys().next().value;
      if (oldest !== undefined) this.local.delete(oldest);
    }
  }

  private rateLimited<T>(
    spec: SourceSpec,
    entry: Entry<T> | undefined,
    backoff: Backoff,
  ): SourceResult<T> {
    const report: SourceReport = {
      source: spec.source,
      kind: spec.kind,
      status: 'rate-limited',
      retryAt: new Date(backoff.retryAt).toISOString(),
      message: backoff.message,
    };
    if (entry && !spec.fresh) {
      report.fetchedAt = new Date(entry.at).toISOString();
      return { value: entry.value, report };
    }
    return { report };
  }

  private async load<T>(
    spec: SourceSpec,
    key: string,
    entry: Entry<T> | undefined,
    load: (context: ProviderCallContext) => Promise<T>,
  ): Promise<SourceResult<T>> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    const started = this.now();
    try {
      const value = await Promise.race([
        load({ signal: controller.signal }),
        new Promise<never>((_, reject) =>
          controller.signal.addEventListener('abort', () =>
            reject(
              new UpstreamError(
                `${spec.source} did not answer within ${this.timeoutMs} ms`,
                { kind: 'timeout' },
              ),
            ),
          ),
        ),
      ]);
      this.remember(key, { value, at: started });
      // After this response: serialising a large answer must not delay it.
      setImmediate(() => {
        this.cache
          .set(key, { value, at: started } as any, { ttl: this.staleTtlMs })
          .catch(() => {});
      });
      return {
        value,
        report: {
          source: spec.source,
          kind: spec.kind,
          status: 'ok',
          fetchedAt: new Date(started).toISOString(),
        },
      };
    } catch (error) {
      const upstream = error instanceof UpstreamError ? error : undefined;
      const message = upstream?.message ?? `${spec.source} failed`;
      if (upstream?.kind === 'rate-limited') {
        const backoff: Backoff = {
          retryAt: Math.min(
            upstream.retryAt ?? this.now() + 15_000,
            this.now() + 60_000,
          ),
          message,
        };
        const ttl = Math.max(backoff.retryAt - this.now(), 1);
        await this.cache.set(`backoff:${key}`, backoff as any, { ttl });
        return this.rateLimited(spec, entry, backoff);
      }
      if (entry && !spec.fresh) {
        return {
          value: entry.value,
          report: {
            source: spec.source,
            kind: spec.kind,
            status: 'stale',
            fetchedAt: new Date(entry.at).toISOString(),
            message: `${message}; showing data from ${new Date(
              entry.at,
            ).toISOString()}`,
          },
        };
      }
      return {
        report: {
          source: spec.source,
          kind: spec.kind,
          status: 'error',
          message,
        },
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
