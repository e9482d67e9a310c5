import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  Freeze,
  GateResult,
  GatesVerdict,
  Promotion,
  PromotionApproval,
  PromotionArtifact,
  PromotionEvent,
  PromotionState,
} from '@slipway/plugin-slipway-common';
import { Knex } from 'knex';
import crypto from 'node:crypto';
import { isUniqueViolation } from './migrate';

const PROMOTIONS = 'slipway_promotions';
const EVENTS = 'slipway_promotion_events';
const APPROVALS = 'slipway_approvals';
const FREEZES = 'slipway_freezes';
const SOAK = 'slipway_soak_observations';

type PolicyRef = { name: string; version: number };

/** A new promotion, before it is stored. */
export interface NewPromotion {
  entityRef: string;
  environment: string;
  kind: Promotion['kind'];
  artifact: PromotionArtifact;
  previousDigest?: string;
  state: PromotionState;
  mode: Promotion['mode'];
  requester: string;
  reason?: string;
  breakGlass: boolean;
  policies: PolicyRef[];
  gates: GateResult[];
  verdict?: GatesVerdict;
  idempotencyKey?: string;
  message?: string;
}

/** Fields a transition may change besides the state. */
export interface PromotionPatch {
  gates?: GateResult[];
  verdict?: GatesVerdict;
  policies?: PolicyRef[];
  mode?: Promotion['mode'];
  commit?: { sha: string; url?: string };
  pullRequest?: Promotion['pullRequest'];
  error?: string;
}

/** A stored promotion with what the engine needs besides the DTO. */
export interface StoredPromotion extends Promotion {
  seq: number;
  previousDigest?: string;
}

/** An approval row, with its binding. */
export interface StoredApproval extends PromotionApproval {
  environment: string;
  digest: string;
  policies: PolicyRef[];
}

function toMillis(value: unknown): number {
  return typeof value === 'string' ? Number(value) : (value as number);
}

function iso(value: unknown): string {
  return new Date(toMillis(value)).toISOString();
}

function optional<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}

/** Promotions, their timelines and approvals, freezes and soak observations, on SQLite and PostgreSQL. */
export class PromotionStore {
  static create(options: { db: Knex; now?: () => number }): PromotionStore {
    return new PromotionStore(options.db, options.now ?? Date.now);
  }

  private constructor(
    private readonly db: Knex,
    private readonly now: () => number,
  ) {}

  /**
   * Stores a promotion with its first timeline event. With an idempotency
   * key, a second request of the same requester and key returns the first
   * promotion and stores nothing (`created: false`).
   */
  async create(
    input: NewPromotion,
  ): Promise<{ promotion: StoredPromotion; created: boolean }> {
    if (input.idempotencyKey) {
      const existing = await this.findByKey(
        input.requester,
        input.idempotencyKey,
      );
      if (existing) return { promotion: existing, created: false };
    }
    const id = crypto.randomUUID();
    const now = this.now();
    try {
      await this.db.transaction(async tx => {
        await tx(PROMOTIONS).insert({
          id,
          entity_ref: input.entityRef,
          environment: input.environment,
          kind: input.kind,
          repository: input.artifact.repository,
          digest: input.artifact.digest,
          tag: input.artifact.tag ?? null,
          source_commit: input.artifact.sourceCommit ?? null,
          previous_digest: input.previousDigest ?? null,
          state: input.state,
          mode: input.mode,
          requester: input.requester,
          reason: input.reason ?? null,
          break_glass: input.breakGlass,
          policies: JSON.stringify(input.policies),
          gates: JSON.stringify(input.gates),
          verdict: input.verdict ?? null,
          idempotency_key: input.idempotencyKey ?? null,
          created_at: now,
          updated_at: now,
        });
        await tx(EVENTS).insert({
          promotion_id: id,
          at: now,
          actor: input.requester,
          state: input.state,
          message: input.message ?? null,
        });
      });
    } catch (error) {
      if (input.idempotencyKey && isUniqueViolation(error)) {
        const existing = await this.findByKey(
          input.requester,
          input.idempotencyKey,
        );
        if (existing) return { promotion: existing, created: false };
      }
      throw error;
    }
    return { promotion: (await this.get(id))!, created: true };
  }

  private async findByKey(requester: string, key: string) {
    const row = await this.db(PROMOTIONS)
      .where({ requester, idempotency_key: key })
      .first();
    return row ? this.hydrate(row) : undefined;
  }

  async get(id: string): Promise<StoredPromotion | undefined> {
    const row = await this.db(PROMOTIONS).where({ id }).first();
    return row ? this.hydrate(row) : undefined;
  }

  async getOrThrow(id: string): Promise<StoredPromotion> {
    const promotion = await this.get(id);
    if (!promotion) throw new NotFoundError(`Promotion ${id} not found`);
    return promotion;
  }

  /** Newest first; `before` is the `seq` of the last item of the previous page. */
  async list(query: {
    entityRef?: string;
    environment?: string;
    states?: PromotionState[];
    limit: number;
    before?: number;
  }): Promise<StoredPromotion[]> {
    let q = this.db(PROMOTIONS).orderBy('seq', 'desc').limit(query.limit);
    if (query.entityRef) q = q.where({ entity_ref: query.entityRef });
    if (query.environment) q = q.where({ environment: query.environment });
    if (query.states?.length) q = q.whereIn('state', query.states);
    if (query.before !== undefined) q = q.where('seq', '<', query.before);
    const rows = await q;
    return Promise.all(rows.map(row => this.hydrate(row)));
  }

  /** Promotions not in a final state, oldest first. */
  async listOpen(
    query: {
      entityRef?: string;
      environment?: string;
      states?: PromotionState[];
    } = {},
  ): Promise<StoredPromotion[]> {
    let q = this.db(PROMOTIONS)
      .whereNotIn('state', [
        'deployed',
        'failed',
        'cancelled',
        'superseded',
        'no-op',
      ])
      .orderBy('seq', 'asc');
    if (query.entityRef) q = q.where({ entity_ref: query.entityRef });
    if (query.environment) q = q.where({ environment: query.environment });
    if (query.states?.length) q = q.whereIn('state', query.states);
    const rows = await q;
    return Promise.all(rows.map(row => this.hydrate(row)));
  }

  /** The newest promotion of the target that reached `deployed` or `committed` and later, by seq. */
  async latestLanded(
    entityRef: string,
    environment: string,
  ): Promise<StoredPromotion | undefined> {
    const row = await this.db(PROMOTIONS)
      .where({ entity_ref: entityRef, environment })
      .whereIn('state', ['committed', 'syncing', 'deployed'])
      .orderBy('seq', 'desc')
      .first();
    return row ? this.hydrate(row) : undefined;
  }

  /** Rollbacks of an environment away from a digest. */
  async rolledBackFrom(
    entityRef: string,
    environment: string,
  ): Promise<{ digest: string; at: string }[]> {
    const rows = await this.db(PROMOTIONS)
      .where({ entity_ref: entityRef, environment, kind: 'rollback' })
      .whereIn('state', ['committed', 'pr-open', 'syncing', 'deployed'])
      .whereNotNull('previous_digest')
      .select('previous_digest', 'created_at');
    return rows.map(r => ({
      digest: r.previous_digest,
      at: iso(r.created_at),
    }));
  }

  /**
   * Moves a promotion from one of `from` to `to`, with a timeline event, in
   * one transaction. Throws ConflictError when the promotion is no longer in
   * one of `from` (someone else moved it first).
   */
  async transition(
    id: string,
    options: {
      from: PromotionState[];
      to: PromotionState;
      actor: string;
      message?: string;
      patch?: PromotionPatch;
    },
  ): Promise<StoredPromotion> {
    const now = this.now();
    const patch = options.patch ?? {};
    const update: Record<string, unknown> = {
      state: options.to,
      updated_at: now,
    };
    if (patch.gates) update.gates = JSON.stringify(patch.gates);
    if (patch.verdict) update.verdict = patch.verdict;
    if (patch.policies) update.policies = JSON.stringify(patch.policies);
    if (patch.mode) update.mode = patch.mode;
    if (patch.commit) {
      update.commit_sha = patch.commit.sha;
      update.commit_url = patch.commit.url ?? null;
    }
    if (patch.pullRequest) {
      update.pr_number = patch.pullRequest.number;
      update.pr_url = patch.pullRequest.url;
      update.pr_branch = patch.pullRequest.branch;
      update.pr_state = patch.pullRequest.state ?? null;
    }
    if (patch.error !== undefined) update.error = patch.error;
    const moved = await this.db.transaction(async tx => {
      const count = await tx(PROMOTIONS)
        .where({ id })
        .whereIn('state', options.from)
        .update(update);
      if (count === 0) return false;
      const last = await tx(EVENTS)
        .where({ promotion_id: id })
        .orderBy('seq', 'desc')
        .first();
      // Re-evaluations that change nothing add no timeline noise.
      if (
        !last ||
        last.state !== options.to ||
        (last.message ?? undefined) !== options.message
      ) {
        await tx(EVENTS).insert({
          promotion_id: id,
          at: now,
          actor: options.actor,
          state: options.to,
          message: options.message ?? null,
        });
      }
      return true;
    });
    if (!moved) {
      const current = await this.getOrThrow(id);
      throw new ConflictError(
        `Promotion ${id} is ${current.state}, not ${options.from.join(' or ')}`,
      );
    }
    return (await this.get(id))!;
  }

  /** Records an approval or rejection; one per approver and promotion. */
  async addApproval(input: {
    promotionId: string;
    approver: string;
    decision: 'approve' | 'reject';
    comment?: string;
    environment: string;
    digest: string;
    policies: PolicyRef[];
  }): Promise<void> {
    const row = {
      promotion_id: input.promotionId,
      approver: input.approver,
      decision: input.decision,
      comment: input.comment ?? null,
      environment: input.environment,
      digest: input.digest,
      policies: JSON.stringify(input.policies),
      at: this.now(),
    };
    // A decision bound to another digest, environment or policy versions is
    // stale: the approver may decide again, replacing it.
    const replaced = await this.db(APPROVALS)
      .where({ promotion_id: input.promotionId, approver: input.approver })
      .andWhere(q =>
        q
          .whereNot('digest', input.digest)
          .orWhereNot('environment', input.environment)
          .orWhereNot('policies', row.policies),
      )
      .update(row);
    if (replaced > 0) return;
    try {
      await this.db(APPROVALS).insert(row);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(
          `${input.approver} has already decided on this promotion`,
        );
      }
      throw error;
    }
  }

  async approvals(promotionId: string): Promise<StoredApproval[]> {
    const rows = await this.db(APPROVALS)
      .where({ promotion_id: promotionId })
      .orderBy('at', 'asc');
    return rows.map(row => ({
      approver: row.approver,
      decision: row.decision,
      comment: optional(row.comment),
      at: iso(row.at),
      environment: row.environment,
      digest: row.digest,
      policies: JSON.parse(row.policies),
    }));
  }

  private async hydrate(row: any): Promise<StoredPromotion> {
    const [events, approvals] = await Promise.all([
      this.db(EVENTS).where({ promotion_id: row.id }).orderBy('seq', 'asc'),
      this.approvals(row.id),
    ]);
    const promotion: StoredPromotion = {
      seq: Number(row.seq),
      id: row.id,
      entityRef: row.entity_ref,
      environment: row.environment,
      kind: row.kind,
      artifact: {
        repository: row.repository,
        digest: row.digest,
        tag: optional(row.tag),
        sourceCommit: optional(row.source_commit),
      },
      previousDigest: optional(row.previous_digest),
      state: row.state,
      mode: row.mode,
      requester: row.requester,
      reason: optional(row.reason),
      breakGlass: Boolean(row.break_glass),
      policies: JSON.parse(row.policies),
      gates: JSON.parse(row.gates),
      verdict: optional(row.verdict),
      approvals: approvals.map(({ approver, decision, comment, at }) => ({
        approver,
        decision,
        comment,
        at,
      })),
      commit: row.commit_sha
        ? { sha: row.commit_sha, url: optional(row.commit_url) }
        : undefined,
      pullRequest: row.pr_number
        ? {
            number: Number(row.pr_number),
            url: row.pr_url,
            branch: row.pr_branch,
            state: optional(row.pr_state),
          }
        : undefined,
      error: optional(row.error),
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      timeline: events.map(
        (event: any): PromotionEvent => ({
          at: iso(event.at),
          actor: event.actor,
          state: event.state,
          message: optional(event.message),
        }),
      ),
    };
    return promotion;
  }

  // --- freezes -----------------------------------------------------------

  async createFreeze(input: {
    scope: Freeze['scope'];
    target?: string;
    reason: string;
    createdBy: string;
    until?: string;
  }): Promise<Freeze> {
    const id = crypto.randomUUID();
    await this.db(FREEZES).insert({
      id,
      scope: input.scope,
      target: input.target ?? null,
      reason: input.reason,
      created_by: input.createdBy,
      created_at: this.now(),
      until: input.until ? Date.parse(input.until) : null,
    });
    return (await this.getFreeze(id))!;
  }

  async getFreeze(id: string): Promise<Freeze | undefined> {
    const row = await this.db(FREEZES).where({ id }).first();
    return row ? freezeFromRow(row) : undefined;
  }

  /** Freezes neither lifted nor past their end. */
  async activeFreezes(): Promise<Freeze[]> {
    const now = this.now();
    const rows = await this.db(FREEZES)
      .whereNull('lifted_at')
      .andWhere(q => q.whereNull('until').orWhere('until', '>', now))
      .orderBy('created_at', 'asc');
    return rows.map(freezeFromRow);
  }

  async liftFreeze(id: string, liftedBy: string): Promise<Freeze> {
    const count = await this.db(FREEZES)
      .where({ id })
      .whereNull('lifted_at')
      .update({ lifted_by: liftedBy, lifted_at: this.now() });
    const freeze = await this.getFreeze(id);
    if (!freeze) throw new NotFoundError(`Freeze ${id} not found`);
    if (count === 0) throw new ConflictError(`Freeze ${id} is already lifted`);
    return freeze;
  }

  // --- soak observations -------------------------------------------------

  /**
   * Records what an environment runs. The soak clock starts when a digest is
   * first seen healthy, and restarts when the digest changes, the deployment
   * marker changes (a redeploy) or it is seen unhealthy.
   */
  async observe(input: {
    entityRef: string;
    environment: string;
    digest: string;
    healthy: boolean;
    deployment?: string;
  }): Promise<{ digest: string; healthySince?: string }> {
    const now = this.now();
    return this.db.transaction(async tx => {
      const key = {
        entity_ref: input.entityRef,
        environment: input.environment,
      };
      const row = await tx(SOAK).where(key).first();
      const same =
        row &&
        row.digest === input.digest &&
        (row.deployment ?? undefined) === input.deployment;
      let healthySince: number | null = null;
      if (input.healthy) {
        healthySince =
          same && row.healthy_since !== null
            ? toMillis(row.healthy_since)
            : now;
      }
      const values = {
        digest: input.digest,
        deployment: input.deployment ?? null,
        healthy_since: healthySince,
        observed_at: now,
      };
      if (row) await tx(SOAK).where(key).update(values);
      else await tx(SOAK).insert({ ...key, ...values });
      return {
        digest: input.digest,
        healthySince: healthySince === null ? undefined : iso(healthySince),
      };
    });
  }

  async observation(
    entityRef: string,
    environment: string,
  ): Promise<{ digest: string; healthySince?: string } | undefined> {
    const row = await this.db(SOAK)
      .where({ entity_ref: entityRef, environment })
      .first();
    if (!row) return undefined;
    return {
      digest: row.digest,
      healthySince:
        row.healthy_since === null ? undefined : iso(row.healthy_since),
    };
  }
}

function freezeFromRow(row: any): Freeze {
  return {
    id: row.id,
    scope: row.scope,
    target: optional(row.target),
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    until: row.until === null ? undefined : iso(row.until),
    liftedBy: optional(row.lifted_by),
    liftedAt: row.lifted_at === null ? undefined : iso(row.lifted_at),
  };
}
