import fc from 'fast-check';
import { settledVerdict } from './settledVerdict';
import { operationArb, timeArb } from './__testUtils__/arbitraries';

describe('settledVerdict', () => {
  it.each([
    [{}, false, 'Argo CD has not reconciled yet'],
    [{ reconciledAt: '2026-01-01T00:05:00Z' }, true, 'no operation ran'],
    [
      {
        reconciledAt: '2026-01-01T00:05:00Z',
        operation: { phase: 'Succeeded', finishedAt: '2026-01-01T00:00:00Z' },
      },
      true,
      'after the last sync succeeded',
    ],
    [
      {
        reconciledAt: '2026-01-01T00:00:00Z',
        operation: { phase: 'Succeeded', finishedAt: '2026-01-01T00:00:00Z' },
      },
      true,
      'after the last sync succeeded',
    ],
    [
      {
        reconciledAt: '2025-12-31T23:59:00Z',
        operation: { phase: 'Succeeded', finishedAt: '2026-01-01T00:00:00Z' },
      },
      false,
      'not reconciled since',
    ],
    [
      {
        reconciledAt: '2026-01-01T00:05:00Z',
        operation: { phase: 'Running' },
      },
      false,
      'is Running',
    ],
    [
      {
        reconciledAt: '2026-01-01T00:05:00Z',
        operation: { phase: 'Succeeded' },
      },
      false,
      'no finish time',
    ],
    [
      {
        reconciledAt: 'yesterday',
        operation: { phase: 'Succeeded', finishedAt: '2026-01-01T00:00:00Z' },
      },
      false,
      'not reconciled since',
    ],
  ] as const)('%j is settled: %s', (live, settled, reason) => {
    const verdict = settledVerdict(live as any);
    expect(verdict.settled).toBe(settled);
    expect(verdict.reason).toContain(reason);
  });

  it('is settled only after a succeeded operation, reconciled at or after it finished', () => {
    fc.assert(
      fc.property(
        fc.option(timeArb, { nil: undefined }),
        operationArb,
        (reconciledAt, operation) => {
          const verdict = settledVerdict({ reconciledAt, operation });
          const expected =
            Boolean(reconciledAt) &&
            (!operation ||
              (operation.phase === 'Succeeded' &&
                Boolean(operation.finishedAt) &&
                Date.parse(reconciledAt!) >=
                  Date.parse(operation.finishedAt!)));
          expect(verdict.settled).toBe(expected);
          expect(verdict.reason).not.toBe('');
        },
      ),
    );
  });
});
