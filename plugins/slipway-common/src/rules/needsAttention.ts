import { FleetRow, FleetScan } from '../state';

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
 * Whether a fleet service needs attention, and every reason why: drift,
 * degraded health, a failed or paused rollout, an environment behind the
 * first one (per environment, in the given order), a failed newest CI run
 * or a failing scan. A service that is not set up needs none. The backend's
 * `attention` filter and the fleet page's markers call this one rule.
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
    if (cell.rollout === 'failed') {
      reasons.push({
        kind: 'rollout-failed',
        environment,
        text: `Rollout failed in ${environment}`,
      });
    }
    if (cell.healthStatus === 'Degraded') {
      reasons.push({
        kind: 'degraded',
        environment,
        text: `Degraded in ${environment}`,
      });
    }
    if (cell.drifted) {
      reasons.push({
        kind: 'drifted',
        environment,
        text: `Drifted in ${environment}`,
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
