import { ImageRef } from '../state';
import { GateResult, GatesVerdict } from './gates';

/**
 * Where a promotion is in its life. `blocked` and `awaiting-approval` are
 * re-evaluated; `deployed`, `failed`, `cancelled`, `superseded` and `no-op`
 * are final.
 *
 * @public
 */
export type PromotionState =
  | 'requested'
  | 'blocked'
  | 'awaiting-approval'
  | 'executing'
  | 'committed'
  | 'pr-open'
  | 'syncing'
  | 'deployed'
  | 'failed'
  | 'cancelled'
  | 'superseded'
  | 'no-op';

/** States a promotion never leaves. @public */
export const FINAL_PROMOTION_STATES: readonly PromotionState[] = [
  'deployed',
  'failed',
  'cancelled',
  'superseded',
  'no-op',
];

/** True for a state a promotion never leaves. @public */
export function isFinalPromotionState(state: PromotionState): boolean {
  return FINAL_PROMOTION_STATES.includes(state);
}

/** What moves: an image digest and what is known of it. @public */
export interface PromotionArtifact {
  repository: string;
  digest: string;
  tag?: string;
  sourceCommit?: string;
}

/** One transition of a promotion, with who made it and when. @public */
export interface PromotionEvent {
  at: string;
  actor: string;
  state: PromotionState;
  message?: string;
}

/** An approval or rejection, bound to the promotion's digest, environment and policy versions. @public */
export interface PromotionApproval {
  approver: string;
  decision: 'approve' | 'reject';
  comment?: string;
  at: string;
}

/** A promotion or rollback of one artifact into one environment of one entity. @public */
export interface Promotion {
  id: string;
  entityRef: string;
  environment: string;
  kind: 'promotion' | 'rollback';
  artifact: PromotionArtifact;
  state: PromotionState;
  mode: 'direct' | 'pull-request';
  requester: string;
  /** Required for rollbacks and break-glass. */
  reason?: string;
  /** Executed past failing gates, windows or freezes with the override permission. */
  breakGlass: boolean;
  /** The policy versions the promotion was checked against. */
  policies: { name: string; version: number }[];
  gates: GateResult[];
  verdict?: GatesVerdict;
  approvals: PromotionApproval[];
  commit?: { sha: string; url?: string };
  pullRequest?: {
    number: number;
    url: string;
    branch: string;
    state?: 'open' | 'merged' | 'closed';
  };
  error?: string;
  createdAt: string;
  updatedAt: string;
  timeline: PromotionEvent[];
}

/** Body of a promotion request. @public */
export interface PromotionRequest {
  environment: string;
  /** A digest (`sha256:…`), or `upstream` for what runs in the previous environment. */
  artifact: { digest: string } | { from: 'upstream' };
  /** Client-supplied key: the same key returns the same promotion. */
  idempotencyKey?: string;
  /** Execute past failing gates (needs the break-glass permission). */
  breakGlass?: boolean;
  reason?: string;
}

/** Answer of a preview: what a promotion would do, nothing written. @public */
export interface PromotionPreview {
  entityRef: string;
  environment: string;
  artifact: PromotionArtifact;
  mode: 'direct' | 'pull-request';
  policies: { name: string; version: number }[];
  gates: GateResult[];
  verdict: GatesVerdict;
  /** Overlay file and unified diff that would be written; empty when already there. */
  overlay: { path: string; diff: string; changed: boolean };
  /** What the environment runs now, per Git. */
  current?: ImageRef;
}

/** An admin freeze of an environment, a system, an owner, an entity, or everything. @public */
export interface Freeze {
  id: string;
  scope: 'global' | 'environment' | 'system' | 'owner' | 'entity';
  /** Environment name or entity reference; absent for `global`. */
  target?: string;
  reason: string;
  createdBy: string;
  createdAt: string;
  until?: string;
  liftedBy?: string;
  liftedAt?: string;
}
