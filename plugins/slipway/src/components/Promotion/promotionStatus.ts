import {
  GateResult,
  GateStatus,
  GatesVerdict,
  isFinalPromotionState,
  Promotion,
  PromotionState,
} from '@slipway/plugin-slipway-common';
import { shortSha } from '../common/format';
import { Tone } from '../common/status';

const STATE_LABELS: Record<PromotionState, string> = {
  requested: 'Requested',
  blocked: 'Blocked',
  'awaiting-approval': 'Awaiting approval',
  executing: 'Executing',
  committed: 'Committed',
  'pr-open': 'Pull request open',
  syncing: 'Syncing',
  deployed: 'Deployed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  superseded: 'Superseded',
  'no-op': 'Already there',
};

/** Every promotion state, in lifecycle order (for filters). */
export const PROMOTION_STATES = Object.keys(STATE_LABELS) as PromotionState[];

export function promotionStateLabel(state: PromotionState): string {
  return STATE_LABELS[state] ?? state;
}

export function promotionStateTone(state: PromotionState): Tone {
  switch (state) {
    case 'deployed':
    case 'no-op':
      return 'ok';
    case 'failed':
    case 'blocked':
      return 'error';
    case 'awaiting-approval':
      return 'warning';
    case 'cancelled':
    case 'superseded':
      return 'unknown';
    default:
      return 'progress';
  }
}

const GATE_LABELS: Record<GateResult['type'], string> = {
  'ci-passed': 'CI passed',
  scan: 'Image scan',
  'quality-gate': 'Quality gate',
  signature: 'Signature',
  soak: 'Soak time',
  approvals: 'Approvals',
  'deploy-window': 'Deploy window',
  verification: 'Verification',
  freeze: 'Freeze',
};

export function gateLabel(type: GateResult['type']): string {
  return GATE_LABELS[type] ?? type;
}

const GATE_STATUS: Record<GateStatus, { tone: Tone; label: string }> = {
  pass: { tone: 'ok', label: 'Passed' },
  fail: { tone: 'error', label: 'Failed' },
  pending: { tone: 'progress', label: 'Pending' },
  unknown: { tone: 'unknown', label: 'Unknown' },
};

export function gateStatus(status: GateStatus): { tone: Tone; label: string } {
  return GATE_STATUS[status] ?? GATE_STATUS.unknown;
}

const VERDICTS: Record<
  GatesVerdict,
  { tone: Tone; label: string; sentence: string }
> = {
  ready: {
    tone: 'ok',
    label: 'Ready',
    sentence:
      'Every gate passes: the change is written as soon as you confirm.',
  },
  'awaiting-approval': {
    tone: 'warning',
    label: 'Needs approval',
    sentence:
      'Every other gate passes; the promotion waits for approval after you request it.',
  },
  pending: {
    tone: 'progress',
    label: 'Waiting on gates',
    sentence:
      'Some gates are still pending; the promotion waits and runs once they pass.',
  },
  blocked: {
    tone: 'error',
    label: 'Blocked',
    sentence:
      'A gate fails or cannot be checked; a request waits, blocked, until it passes.',
  },
};

export function verdictStatus(verdict: GatesVerdict) {
  return VERDICTS[verdict] ?? VERDICTS.blocked;
}

/** What the approval gates say: how many approvals there are and are needed, and who may give them. */
export function approvalNeeds(gates: GateResult[]):
  | {
      have: number;
      need: number;
      groups: string[];
    }
  | undefined {
  let have = 0;
  let need = 0;
  const groups = new Set<string>();
  let found = false;
  for (const gate of gates) {
    if (gate.type !== 'approvals' || gate.status !== 'pending') continue;
    const counts = /(\d+) of (\d+) approvals?/.exec(gate.reason);
    if (counts) {
      found = true;
      have += Number(counts[1]);
      need += Number(counts[2]);
    }
    const who = /members of (.+?) other than the requester/.exec(gate.reason);
    for (const group of who?.[1].split(',') ?? []) {
      if (group.trim()) groups.add(group.trim());
    }
  }
  return found ? { have, need, groups: [...groups] } : undefined;
}

/** Gates that stop a promotion: failing, or unknown (which fails closed). */
function blockingGates(gates: GateResult[]): GateResult[] {
  return gates.filter(g => g.status === 'fail' || g.status === 'unknown');
}

function lastMessage(promotion: Promotion, states?: PromotionState[]) {
  const events = [...promotion.timeline].reverse();
  return events.find(e => e.message && (!states || states.includes(e.state)))
    ?.message;
}

/** The Argo CD sync result, as the timeline recorded it. */
export function syncResult(promotion: Promotion): string | undefined {
  return lastMessage(promotion, ['syncing', 'deployed', 'failed']);
}

/** One sentence on where a promotion stands and what it waits for. */
export function promotionSummary(promotion: Promotion): string {
  switch (promotion.state) {
    case 'requested':
      return 'Requested; checking the gates';
    case 'awaiting-approval': {
      const needs = approvalNeeds(promotion.gates);
      if (!needs) return 'Waiting for approval';
      const missing = Math.max(needs.need - needs.have, 0);
      const who = needs.groups.length
        ? `; members of ${needs.groups.join(
            ', ',
          )} other than the requester may approve`
        : '';
      return `Needs ${missing} more ${
        missing === 1 ? 'approval' : 'approvals'
      } (${needs.have} of ${needs.need})${who}`;
    }
    case 'blocked': {
      const blocking = blockingGates(promotion.gates);
      if (blocking.length === 0) {
        const pending = promotion.gates.filter(g => g.status === 'pending');
        return pending.length
          ? `Waiting on ${pending.map(g => gateLabel(g.type)).join(', ')}`
          : 'Blocked by its gates';
      }
      return `Blocked by ${blocking
        .map(g => `${gateLabel(g.type)} (${g.reason})`)
        .join('; ')}`;
    }
    case 'executing':
      return 'Writing the change to the GitOps repository';
    case 'committed':
      return promotion.commit
        ? `Committed ${shortSha(promotion.commit.sha)}`
        : 'Committed';
    case 'pr-open':
      return promotion.pullRequest
        ? `Pull request #${promotion.pullRequest.number} open; deploys when merged`
        : 'Pull request open';
    case 'syncing':
      return syncResult(promotion) ?? 'Waiting for Argo CD to sync';
    case 'deployed':
      return 'Deployed: synced and healthy';
    case 'failed':
      return `Failed: ${
        promotion.error ?? lastMessage(promotion) ?? 'no reason recorded'
      }`;
    case 'cancelled':
      return 'Cancelled';
    case 'superseded':
      return 'Superseded by a newer promotion';
    case 'no-op':
      return 'The environment already runs this digest; nothing was written';
    default:
      return promotionStateLabel(promotion.state);
  }
}

/** "Promotion", "Rollback" or "Break-glass". */
export function promotionKindLabel(promotion: Promotion): string {
  if (promotion.breakGlass) return 'Break-glass';
  return promotion.kind === 'rollback' ? 'Rollback' : 'Promotion';
}

/**
 * The promotion to show on an environment: the newest one still in flight,
 * or the newest one that finished in the last `recentMs` (so "deployed" and
 * "failed" stay visible for a while).
 */
export function currentPromotion(
  promotions: Promotion[],
  environment: string,
  now: number,
  recentMs = 30 * 60_000,
): Promotion | undefined {
  const mine = promotions
    .filter(p => p.environment === environment)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const inFlight = mine.find(p => !isFinalPromotionState(p.state));
  if (inFlight) return inFlight;
  const latest = mine[0];
  if (
    latest &&
    ['deployed', 'failed', 'no-op'].includes(latest.state) &&
    now - Date.parse(latest.updatedAt) < recentMs
  ) {
    return latest;
  }
  return undefined;
}

/** The approvers that approved, in order. */
export function approvers(promotion: Promotion): string[] {
  return promotion.approvals
    .filter(a => a.decision === 'approve')
    .map(a => a.approver);
}

/** A fresh idempotency key for one request (the API accepts `[A-Za-z0-9._:-]`). */
export function newIdempotencyKey(prefix: string): string {
  const random = Math.random().toString(36).slice(2, 12);
  return `${prefix}-${Date.now().toString(36)}-${random}`;
}

/** A few words for tight places (the pipeline strip): state and what it waits for. */
export function promotionShortStatus(promotion: Promotion): string {
  const kind = promotionKindLabel(promotion).toLocaleLowerCase('en-US');
  switch (promotion.state) {
    case 'awaiting-approval': {
      const needs = approvalNeeds(promotion.gates);
      const missing = needs ? Math.max(needs.need - needs.have, 0) : undefined;
      return missing !== undefined
        ? `${kind} needs ${missing} more ${
            missing === 1 ? 'approval' : 'approvals'
          }`
        : `${kind} awaiting approval`;
    }
    case 'blocked': {
      const blocking = blockingGates(promotion.gates);
      return blocking.length
        ? `${kind} blocked by ${blocking
            .map(g => gateLabel(g.type))
            .join(', ')}`
        : `${kind} blocked`;
    }
    case 'pr-open':
      return promotion.pullRequest
        ? `${kind}: PR #${promotion.pullRequest.number} open`
        : `${kind}: PR open`;
    default:
      return `${kind} ${promotionStateLabel(promotion.state).toLocaleLowerCase(
        'en-US',
      )}`;
  }
}
