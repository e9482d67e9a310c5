import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import crypto from 'node:crypto';

const TABLE = 'slipway_locks';

/** A held lease; renew it while working, release it when done. */
export interface LockLease {
  key: string;
  holder: string;
  /** True while this holder still owns the lease (renewed before expiry). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * Leases in the database, so work is serialised across backend replicas on
 * the same PostgreSQL (or SQLite) database. A lease expires after `ttlMs`
 * unless renewed, so a crashed holder never blocks forever.
 */
export class DatabaseLock {
  static create(options: { db: Knex; now?: () => number }): DatabaseLock {
    return new DatabaseLock(options.db, options.now ?? Date.now);
  }

  private constructor(
    private readonly db: Knex,
    private readonly now: () => number,
  ) {}

  /** Takes the lease if free or expired; undefined when someone else holds it. */
  async tryAcquire(key: string, ttlMs: number): Promise<LockLease | undefined> {
    const holder = crypto.randomUUID();
    const now = this.now();
    // Take over an expired lease in place (one statement, so two takers
    // cannot both win), else insert a new one. A held lease is no error
    // (reads ask for leases often; the database log stays quiet).
    const taken = await this.db(TABLE)
      .where({ key })
      .andWhere('expires_at', '<=', now)
      .update({ holder, expires_at: now + ttlMs });
    if (taken === 0) {
      await this.db(TABLE)
        .insert({ key, holder, expires_at: now + ttlMs })
        .onConflict('key')
        .ignore();
      const row = await this.db(TABLE).where({ key }).first('holder');
      if (row?.holder !== holder) return undefined;
    }
    return {
      key,
      holder,
      renew: async () =>
        (await this.db(TABLE)
          .where({ key, holder })
          .update({ expires_at: this.now() + ttlMs })) > 0,
      release: async () => {
        await this.db(TABLE).where({ key, holder }).delete();
      },
    };
  }

  /**
   * Runs `fn` holding the lease, waiting up to `waitMs` for it (polling with
   * jitter). The lease is renewed in the background while `fn` runs.
   * Throws ConflictError when the lease could not be had in time.
   */
  async withLock<T>(
    key: string,
    fn: (lease: LockLease) => Promise<T>,
    options: { ttlMs?: number; waitMs?: number; pollMs?: number } = {},
  ): Promise<{ value: T; waitedMs: number }> {
    const ttlMs = options.ttlMs ?? 60_000;
    const waitMs = options.waitMs ?? 120_000;
    const pollMs = options.pollMs ?? 50;
    const started = this.now();
    let lease = await this.tryAcquire(key, ttlMs);
    while (!lease) {
      if (this.now() - started > waitMs) {
        throw new ConflictError(
          `Another promotion holds ${key}; try again later`,
        );
      }
      await new Promise(resolve =>
        setTimeout(resolve, pollMs + Math.random() * pollMs),
      );
      lease = await this.tryAcquire(key, ttlMs);
    }
    const waitedMs = this.now() - started;
    const held = lease;
    const timer = setInterval(() => {
      held.renew().catch(() => undefined);
    }, Math.max(1000, Math.floor(ttlMs / 3)));
    timer.unref?.();
    try {
      return { value: await fn(held), waitedMs };
    } finally {
      clearInterval(timer);
      await held.release();
    }
  }
}
