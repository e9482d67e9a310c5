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
  /**
   * A small form of the value (a pure function of it) for views of many
   * entities: stored beside each fresh answer, one per scope (at most one
   * read of a scope has a summary), and read by
   * `peekMany(..., { summaries: true })` instead of the whole answer —
   * one cache read instead of the scope's generation and the entry. An
   * invalidation deletes it; a read in flight across an invalidation may
   * store its (older) summary after that, shown until the next read.
   */
  summary?: (value: any) => unknown;
}

interface Entry<T> {
  value: T;
  at: number;
}

interface Backoff {
  retryAt: number;
  message: string;
}

/** A lease on one read, held by the replica that reads it for all. */
export interface ReadLeaseHold {
  release(): Promise<void>;
}

/**
 * Leases every replica sees (DatabaseLock implements it): on a miss, the
 * replica that takes a read's lease reads it; the others wait for its answer.
 */
export interface ReadLease {
  /** Takes the lease if free or expired; undefined while another holds it. */
  tryAcquire(key: string, ttlMs: number): Promise<ReadLeaseHold | undefined>;
}

/**
 * What the lease holder tells the waiting replicas when it is done: the
 * time of the answer it stored, or that it failed (a classified message).
 */
interface FlightNote {
  at: number;
  failed?: string;
}

/** How much longer than the source timeout a read's lease lasts. */
const LEASE_MARGIN_MS = 1_000;
/** Waiters ask for the lease again every this many polls (a holder that died). */
const POLLS_PER_LEASE_TRY = 4;

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
  // One-shot (no Hash object): the fleet hashes two keys per service.
  return crypto.hash('sha256', text, 'base64url').slice(0, 32);
}

/** Where one read's entry is stored at a scope generation. */
function entryKey(spec: SourceSpec, generation: string): string {
  return `src:${hash(`${spec.scope}\n${generation}\n${spec.key}`)}`;
}

/**
 * Where the summary of a scope's summarised read is stored: one per scope,
 * whatever its generation, so that a view of many entities reads one key
 * per read instead of the scope's generation and then the entry. An
 * invalidation deletes it (see `invalidate`).
 */
function summaryKey(scope: string): string {
  return `sum:${hash(scope)}`;
}

/** A stored summary: which read of the scope it summarises, and when it was read. */
interface StoredSummary {
  key: string;
  at: number;
  value: unknown;
}

/**
 * Reads upstream sources through the CacheService: single-flight per key in
 * this process and, with a `lease`, across replicas; a fresh window, stale
 * copies served (marked `stale`) when the upstream fails, bounded rate-limit
 * back-off shared through the cache, and a time budget per call. Webhooks
 * bump a scope's generation, which makes every entry of the scope
 * unreachable at once (on every replica).
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
  /** The generation of each scope this process last saw, and its listeners' run. */
  private readonly seen = new Map<
    string,
    { generation: string; settled: Promise<void> }
  >();
  private static readonly SEEN_SCOPES = 10_000;
  private readonly scopeListeners: ((scope: string) => Promise<void>)[] = [];

  static create(options: {
    cache: CacheService;
    ttlMs?: number;
    staleTtlMs?: number;
    timeoutMs?: number;
    now?: () => number;
    /**
     * Leases shared by the replicas (e.g. DatabaseLock): a miss is read by
     * one replica for all. Only useful when `cache` is shared too.
     */
    lease?: ReadLease;
    /** How often a replica waiting for another's read looks for its answer. */
    pollMs?: number;
  }): SourceCache {
    return new SourceCache(
      options.cache,
      options.ttlMs ?? 30_000,
      options.staleTtlMs ?? 3_600_000,
      options.timeoutMs ?? 3_000,
      options.now ?? Date.now,
      options.lease,
      options.pollMs ?? 25,
    );
  }

  private constructor(
    private readonly cache: CacheService,
    private readonly ttlMs: number,
    private readonly staleTtlMs: number,
    readonly timeoutMs: number,
    private readonly now: () => number,
    private readonly lease: ReadLease | undefined,
    private readonly pollMs: number,
  ) {}

  /**
   * Runs `listener` before this process first reads a scope at a generation
   * it has not seen: after an invalidation on any replica, and on the first
   * read of the scope. Per-process state kept beside the cache (a reader's
   * local clone) is forgotten there, so every replica reads what is new.
   */
  onScopeChanged(listener: (scope: string) => Promise<void>): void {
    this.scopeListeners.push(listener);
  }

  private async noticeGeneration(
    scope: string,
    generation: string,
  ): Promise<void> {
    const seen = this.seen.get(scope);
    if (seen?.generation === generation) {
      await seen.settled;
      return;
    }
    const settled = Promise.all(
      this.scopeListeners.map(listener =>
        listener(scope).catch(() => undefined),
      ),
    ).then(() => undefined);
    this.seen.delete(scope);
    this.seen.set(scope, { generation, settled });
    if (this.seen.size > SourceCache.SEEN_SCOPES) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    await settled;
  }

  /** Makes every entry (and the summary) of the scopes unreachable. */
  async invalidate(scopes: string[]): Promise<void> {
    await Promise.all(
      scopes.flatMap(scope => [
        this.cache.set(`gen:${hash(scope)}`, crypto.randomUUID(), {
          ttl: this.staleTtlMs * 2,
        }),
        this.cache.delete(summaryKey(scope)),
      ]),
    );
  }

  private async keyOf(spec: SourceSpec): Promise<string> {
    return entryKey(spec, await this.generationOf(spec.scope));
  }

  /** The scope's current generation (listeners run on a new one). */
  private async generationOf(scope: string): Promise<string> {
    const generation = ((await this.cache.get<string>(`gen:${hash(scope)}`)) ??
      '0') as string;
    if (this.scopeListeners.length > 0) {
      await this.noticeGeneration(scope, generation);
    }
    return generation;
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
    const shared = await this.getShared<T>(key);
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
      flight = (
        this.lease && !spec.fresh
          ? this.loadOnce(spec, key, entry, load)
          : this.load(spec, key, entry, load)
      ).finally(() => this.inflight.delete(flightKey));
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
    const [result] = await this.peekMany<T>([spec]);
    return result;
  }

  /**
   * `peek` for many reads at once (the fleet's CI and scan markers, two per
   * service): each scope's generation read once, the entries this process
   * holds taken from memory and the others asked of the shared cache all
   * together, not one read after another. By position of `specs`.
   */
  async peekMany<T>(
    specs: SourceSpec[],
    options: {
      /** The specs' `summary` forms instead of the whole values (where a spec has one). */
      summaries?: boolean;
    } = {},
  ): Promise<(SourceResult<T> | undefined)[]> {
    const summarised = (spec: SourceSpec) =>
      Boolean(options.summaries && spec.summary);
    const scopes = [
      ...new Set(specs.filter(s => !summarised(s)).map(s => s.scope)),
    ];
    const generations = await Promise.all(
      scopes.map(scope => this.generationOf(scope)),
    );
    const generationOf = new Map(
      scopes.map((scope, index) => [scope, generations[index]]),
    );
    const entries = (await Promise.all(
      specs.map(spec => {
        if (summarised(spec)) return this.getSummary(spec);
        const key = entryKey(spec, generationOf.get(spec.scope)!);
        return this.local.get(key) ?? this.getShared<T>(key);
      }),
    )) as (Entry<T> | undefined)[];
    const now = this.now();
    return entries.map((entry, index) => {
      if (!entry) return undefined;
      const spec = specs[index];
      return {
        value: entry.value,
        report: {
          source: spec.source,
          kind: spec.kind,
          status: now - entry.at < (spec.ttlMs ?? this.ttlMs) ? 'ok' : 'stale',
          fetchedAt: new Date(entry.at).toISOString(),
        },
      };
    });
  }

  /** The stored summary of a summarised read; another read's summary is a miss. */
  private async getSummary(
    spec: SourceSpec,
  ): Promise<Entry<unknown> | undefined> {
    const stored = (await this.getShared<unknown>(summaryKey(spec.scope))) as
      | StoredSummary
      | undefined;
    return stored?.key === spec.key
      ? { at: stored.at, value: stored.value }
      : undefined;
  }

  /**
   * An entry from the shared cache. Entries are stored as one JSON string
   * (see `share`): the cache service's own serialiser (Keyv's) walks every
   * value in JavaScript and parses with a reviver. For a fleet's 30,000
   * Applications that took 736 ms to store and 845 ms to read, against
   * 115 and 123 ms for a string the engine's JSON made. An object is an
   * entry stored by a replica of an older version; an unreadable string is
   * a miss.
   */
  private async getShared<T>(key: string): Promise<Entry<T> | undefined> {
    const stored = await this.cache.get(key);
    if (stored === undefined || stored === null) return undefined;
    if (typeof stored !== 'string') return stored as unknown as Entry<T>;
    try {
      return JSON.parse(stored) as Entry<T>;
    } catch {
      return undefined;
    }
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

  /**
   * A miss read once across replicas: the replica that takes the read's
   * lease reads it and stores the answer before letting go; the others look
   * for that answer every `pollMs`, for at most the source timeout, then
   * read for themselves. A holder that failed leaves a note: waiters then
   * serve their stale copy as a failed read would, or read for themselves
   * when they have none. A holder that died leaves its lease to expire;
   * waiters keep trying to take it over.
   */
  private async loadOnce<T>(
    spec: SourceSpec,
    key: string,
    entry: Entry<T> | undefined,
    load: (context: ProviderCallContext) => Promise<T>,
  ): Promise<SourceResult<T>> {
    const waitStarted = this.now();
    const deadline = Date.now() + this.timeoutMs;
    // Whatever is newer than this replica's copy was read after its miss
    // (for it, as a joined single flight in this process would be).
    const newer = async (): Promise<Entry<T> | undefined> => {
      const shared = await this.getShared<T>(key);
      return shared && shared.at > (entry?.at ?? -Infinity)
        ? shared
        : undefined;
    };
    for (;;) {
      let lease: ReadLeaseHold | undefined;
      try {
        lease = await this.lease!.tryAcquire(
          `read:${key}`,
          this.timeoutMs + LEASE_MARGIN_MS,
        );
      } catch {
        // The lease store is down: read, as without one.
        return this.load(spec, key, entry, load);
      }
      if (lease) {
        // Another replica may have answered since this one missed.
        const answered = await newer().catch(() => undefined);
        if (answered) {
          lease.release().catch(() => {});
          return this.answered(spec, key, answered);
        }
        return this.load(spec, key, entry, load, lease);
      }
      for (let poll = 0; poll < POLLS_PER_LEASE_TRY; poll++) {
        if (Date.now() >= deadline) return this.load(spec, key, entry, load);
        await new Promise(resolve =>
          setTimeout(resolve, this.pollMs * (1 + Math.random())),
        );
        const note = (await this.cache
          .get(`flight:${key}`)
          .catch(() => undefined)) as FlightNote | undefined;
        if (note?.failed !== undefined && note.at >= waitStarted) {
          return this.afterFailure(spec, key, entry, load, note.failed);
        }
        if (note && note.failed === undefined && note.at > (entry?.at ?? -1)) {
          const answered = await newer().catch(() => undefined);
          if (answered) return this.answered(spec, key, answered);
        }
      }
    }
  }

  /** An answer another replica read and stored. */
  private answered<T>(
    spec: SourceSpec,
    key: string,
    entry: Entry<T>,
  ): SourceResult<T> {
    this.remember(key, entry);
    return {
      value: entry.value,
      report: {
        source: spec.source,
        kind: spec.kind,
        status: 'ok',
        fetchedAt: new Date(entry.at).toISOString(),
      },
    };
  }

  /** The replica holding the lease failed to read: what a failed read here would serve. */
  private async afterFailure<T>(
    spec: SourceSpec,
    key: string,
    entry: Entry<T> | undefined,
    load: (context: ProviderCallContext) => Promise<T>,
    message: string,
  ): Promise<SourceResult<T>> {
    const backoff = (await this.cache
      .get(`backoff:${key}`)
      .catch(() => undefined)) as Backoff | undefined;
    if (backoff && backoff.retryAt > this.now()) {
      return this.rateLimited(spec, entry, backoff);
    }
    if (entry) return this.failed(spec, entry, message);
    // Nothing to serve: never answer empty because another replica failed.
    return this.load(spec, key, entry, load);
  }

  /** Stores the answer for every replica, then lets the lease go. */
  private async share(
    key: string,
    entry: Entry<unknown>,
    lease: ReadLeaseHold | undefined,
  ): Promise<void> {
    try {
      await this.cache.set(key, JSON.stringify(entry), {
        ttl: this.staleTtlMs,
      });
      if (lease) await this.note(key, { at: entry.at });
    } catch {
      // The cache is down: this read is not shared.
    } finally {
      await lease?.release().catch(() => {});
    }
  }

  /** Stores the summary of a fresh answer when its read has one (see `SourceSpec.summary`). */
  private shareSummary(spec: SourceSpec, entry: Entry<unknown>): void {
    if (!spec.summary) return;
    try {
      const summary: StoredSummary = {
        key: spec.key,
        at: entry.at,
        value: spec.summary(entry.value),
      };
      this.cache
        .set(summaryKey(spec.scope), JSON.stringify(summary), {
          ttl: this.staleTtlMs,
        })
        .catch(() => {
          // The cache is down: views of many entities miss this marker.
        });
    } catch {
      // A summary that cannot be made is a miss, never a failed read.
    }
  }

  private async note(key: string, note: FlightNote): Promise<void> {
    await this.cache.set(`flight:${key}`, note as any, {
      ttl: Math.max(this.ttlMs, 2 * (this.timeoutMs + LEASE_MARGIN_MS)),
    });
  }

  /** Tells the waiting replicas the read failed, then lets the lease go. */
  private async shareFailure(
    key: string,
    message: string,
    lease: ReadLeaseHold,
  ): Promise<void> {
    try {
      await this.note(key, { at: this.now(), failed: message });
    } catch {
      // Waiters read for themselves once their wait is over.
    } finally {
      await lease.release().catch(() => {});
    }
  }

  /** A failed read: the last copy marked stale, else an error. */
  private failed<T>(
    spec: SourceSpec,
    entry: Entry<T> | undefined,
    message: string,
  ): SourceResult<T> {
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
  }

  private async load<T>(
    spec: SourceSpec,
    key: string,
    entry: Entry<T> | undefined,
    load: (context: ProviderCallContext) => Promise<T>,
    lease?: ReadLeaseHold,
  ): Promise<SourceResult<T>> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    const started = this.now();
    let failure: string | undefined;
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
      // The summary (small) at once, for the next view of many entities.
      this.shareSummary(spec, { value, at: started });
      // After this response: serialising a large answer must not delay it.
      // The lease is let go once the answer is stored, so waiters find it.
      setImmediate(() => {
        void this.share(key, { value, at: started }, lease);
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
      failure = message;
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
      return this.failed(spec, entry, message);
    } finally {
      clearTimeout(timer);
      // After the back-off is stored: waiters look for it first.
      if (lease && failure !== undefined) {
        void this.shareFailure(key, failure, lease);
      }
    }
  }
}
