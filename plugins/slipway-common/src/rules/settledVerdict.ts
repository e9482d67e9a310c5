import { LiveState } from '../state';

/** The live facts the "settled" rule reads. @public */
export type SettledFacts = Pick<LiveState, 'reconciledAt' | 'operation'>;

/** Whether Argo CD reconciled after its last operation, and why. @public */
export interface SettledVerdict {
  settled: boolean;
  reason: string;
}

/**
 * Settled: Argo CD reconciled the application after the last operation
 * finished, and that operation succeeded. A missing or unreadable time is
 * not settled (fails closed).
 *
 * @public
 */
export function settledVerdict(live: SettledFacts): SettledVerdict {
  if (!live.reconciledAt) {
    return { settled: false, reason: 'Argo CD has not reconciled yet' };
  }
  const operation = live.operation;
  if (!operation) {
    return { settled: true, reason: 'Argo CD reconciled; no operation ran' };
  }
  if (operation.phase !== 'Succeeded') {
    return {
      settled: false,
      reason: `The last sync operation is ${operation.phase}`,
    };
  }
  if (!operation.finishedAt) {
    return {
      settled: false,
      reason: 'The last sync operation has no finish time',
    };
  }
  const reconciled = Date.parse(live.reconciledAt);
  const finished = Date.parse(operation.finishedAt);
  if (!(reconciled >= finished)) {
    return {
      settled: false,
      reason: 'Argo CD has not reconciled since the last sync finished',
    };
  }
  return {
    settled: true,
    reason: 'Argo CD reconciled after the last sync succeeded',
  };
}
