import { FleetCell, FleetRow, FleetScan } from '../state';
import { EnvironmentVerdictKind } from './environmentVerdict';

/** What makes a fleet service need attention. @public */
export type AttentionKind =
  | 'drifted'
  | 'degraded'
  | 'rollout-failed'
  | 'rollout-paused'
  | 'behind'
  | 'ci-failed'
  | 'scan-failing';

/** One reason a service needs attention, with the environment it concerns. @public */
export interface AttentionReason {
  kind: AttentionKind;
  /** Absent for reasons about the service as a whole (CI, scan). */
  environment?: string;
  /** Sentence-case text for people. */
  text: string;
}

/** The facts the rule reads: a fleet row's cells, build and scan. @public */
export type AttentionFacts = Pick<
  FleetRow,
  'cells' | 'build' | 'scan' | 'notSetUp'
>;

/** Order of the kinds, worst first; reasons are listed in this order. */
const KIND_ORDER: AttentionKind[] = [
  'rollout-failed',
  'degraded',
  'drifted',
  'ci-failed',
  'scan-failing',
  'rollout-paused',
  'behind',
];

/**
 * A scan fails when it found critical vulnerabilities or the scanner
 * reported an error.
 *
 * @public
 */
export function scanFailing(scan: FleetScan | undefined): boolean {
  return Boolean(scan && (scan.critical > 0 || scan.status === 'Error'));
}

/**
 * What a cell's verdict says: its kind, or, for a verdict on last-known
 * data, the kind that data gave (the reason then says "last known").
 */
function verdictOf(cell: FleetCell): {
  kind: EnvironmentVerdictKind;
  label: string;
  lastKnown: boolean;
} {
  const { verdict } = cell;
  if (verdict.lastKnown) return { ...verdict.lastKnown, lastKnown: true };
  return { kind: verdict.kind, label: verdict.label, lastKnown: false };
}

/**
 * Whether a fleet service needs attention, and every reason why, per
 * environment (in the given order) from the environment's one verdict (the
 * common `environmentVerdict` rule, as the Deploy tab shows it): drifted,
 * degraded (also Missing or Suspended), failed (sync or rollout); from
 * Argo CD's list: a failed or paused rollout; and an environment behind the
 * first one. Then a failed newest CI run or a failing scan. An environment
 * awaiting its first deploy (never promoted) is calm: none of its facts
 * count. A verdict on last-known data counts what that data said, and says
 * so. A service that is not set up needs none. The backend's `attention`
 * filter and sort and the fleet page's column call this one rule.
 *
 * @public
 */
export function needsAttention(
  row: AttentionFacts,
  environments: string[] = Object.keys(row.cells),
): AttentionReason[] {
  if (row.notSetUp) return [];
  const reasons: AttentionReason[] = [];
  for (const environment of environments) {
    const cell = row.cells[environment];
    if (!cell) continue;
    const verdict = verdictOf(cell);
    if (verdict.kind === 'awaiting-first-deploy') continue;
    const lastKnown = verdict.lastKnown ? ' (last known)' : '';
    if (cell.rollout === 'failed' || verdict.kind === 'failed') {
      reasons.push({
        kind: 'rollout-failed',
        environment,
        text:
          cell.rollout === 'failed'
            ? `Rollout failed in ${environment}`
            : `${verdict.label} in ${environment}${lastKnown}`,
      });
    }
    // A paused rollout reads as Suspended when its progress was not read.
    if (verdict.kind === 'degraded' && cell.rollout !== 'paused') {
      reasons.push({
        kind: 'degraded',
        environment,
        text: `${verdict.label} in ${environment}${lastKnown}`,
      });
    }
    if (verdict.kind === 'drifted') {
      reasons.push({
        kind: 'drifted',
        environment,
        text: `Drifted in ${environment}${lastKnown}`,
      });
    }
    if (cell.rollout === 'paused') {
      reasons.push({
        kind: 'rollout-paused',
        environment,
        text: `Rollout paused in ${environment}`,
      });
    }
    if (cell.behind) {
      reasons.push({
        kind: 'behind',
        environment,
        text: `${environment} is behind`,
      });
    }
  }
  if (row.build?.status === 'failed') {
    reasons.push({
      kind: 'ci-failed',
      text: `CI failed${row.build.name ? ` (${row.build.name})` : ''}`,
    });
  }
  if (scanFailing(row.scan)) {
    reasons.push({
      kind: 'scan-failing',
      text:
        row.scan!.status === 'Error'
          ? 'Scan failed'
          : `Scan found ${row.scan!.critical} critical`,
    });
  }
  const position = (reason: AttentionReason) => KIND_ORDER.indexOf(reason.kind);
  // Stable: environments keep their order within a kind.
  return reasons
    .map((reason, index) => ({ reason, index }))
    .sort(
      (a, b) => position(a.reason) - position(b.reason) || a.index - b.index,
    )
    .map(({ reason }) => reason);
}

/** A rank for sorting by attention: 0 for none, higher is worse. @public */
export function attentionRank(reasons: AttentionReason[]): number {
  if (reasons.length === 0) return 0;
  return KIND_ORDER.length - KIND_ORDER.indexOf(reasons[0].kind);
}
