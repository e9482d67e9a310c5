import fc from 'fast-check';
import { FleetCell, FleetRow } from '../state';
import { attentionRank, needsAttention, scanFailing } from './needsAttention';

const calm: FleetCell = {
  tag: 'abc',
  syncStatus: 'Synced',
  healthStatus: 'Healthy',
  deployed: true,
  behind: false,
};

function row(
  cells: Record<string, Partial<FleetCell>>,
  extra: Partial<FleetRow> = {},
): FleetRow {
  const full: Record<string, FleetCell> = {};
  for (const [name, cell] of Object.entries(cells)) {
    full[name] = { ...calm, ...cell };
  }
  return { entityRef: 'component:default/a', cells: full, ...extra };
}

const cellArb: fc.Arbitrary<FleetCell> = fc.record(
  {
    tag: fc.constantFrom('a', 'b'),
    syncStatus: fc.constantFrom('Synced', 'OutOfSync', 'Unknown' as const),
    healthStatus: fc.constantFrom(
      'Healthy',
      'Progressing',
      'Degraded',
      'Suspended',
      'Missing',
      'Unknown' as const,
    ),
    deployed: fc.boolean(),
    behind: fc.boolean(),
    drifted: fc.boolean(),
    rollout: fc.constantFrom('progressing', 'paused', 'failed' as const),
  },
  { requiredKeys: ['deployed', 'behind'] },
);

const rowArb: fc.Arbitrary<FleetRow> = fc.record(
  {
    entityRef: fc.constant('component:default/a'),
    cells: fc.record(
      { dev: cellArb, staging: cellArb, prod: cellArb },
      { requiredKeys: [] },
    ),
    notSetUp: fc.boolean(),
    build: fc.record({
      status: fc.constantFrom('passed', 'failed', 'running', 'other' as const),
      name: fc.constantFrom('CI #12', undefined),
    }),
    scan: fc.record({
      status: fc.constantFrom(
        'Success',
        'Pending',
        'Running',
        'Error',
        'NotScanned' as const,
      ),
      critical: fc.nat(3),
      high: fc.nat(3),
    }),
  },
  { requiredKeys: ['entityRef', 'cells'] },
);

describe('needsAttention', () => {
  it('a calm service needs none', () => {
    expect(needsAttention(row({ dev: {}, prod: {} }))).toEqual([]);
  });

  it.each([
    [{ drifted: true }, 'drifted', 'Drifted in prod'],
    [{ healthStatus: 'Degraded' as const }, 'degraded', 'Degraded in prod'],
    [
      { rollout: 'failed' as const },
      'rollout-failed',
      'Rollout failed in prod',
    ],
    [
      { rollout: 'paused' as const },
      'rollout-paused',
      'Rollout paused in prod',
    ],
    [{ behind: true }, 'behind', 'prod is behind'],
  ])('%j in prod: %s', (cell, kind, text) => {
    expect(needsAttention(row({ dev: {}, prod: cell }))).toEqual([
      { kind, environment: 'prod', text },
    ]);
  });

  it('a rollout in progress or a sync in progress alone needs none', () => {
    expect(
      needsAttention(
        row({
          prod: { rollout: 'progressing', healthStatus: 'Progressing' },
        }),
      ),
    ).toEqual([]);
  });

  it('a failed newest CI run and a failing scan concern the service', () => {
    expect(
      needsAttention(
        row(
          { dev: {} },
          {
            build: { status: 'failed', name: 'CI #42' },
            scan: { status: 'Success', critical: 2, high: 0 },
          },
        ),
      ),
    ).toEqual([
      { kind: 'ci-failed', text: 'CI failed (CI #42)' },
      { kind: 'scan-failing', text: 'Scan found 2 critical' },
    ]);
  });

  it.each([
    [{ status: 'Success' as const, critical: 0, high: 9 }, false],
    [{ status: 'Success' as const, critical: 1, high: 0 }, true],
    [{ status: 'Error' as const, critical: 0, high: 0 }, true],
    [{ status: 'Pending' as const, critical: 0, high: 0 }, false],
  ])('scan %j failing: %s', (scan, failing) => {
    expect(scanFailing(scan)).toBe(failing);
  });

  it('lists the worst first, environments in the given order', () => {
    const reasons = needsAttention(
      row({
        dev: { behind: true },
        staging: { drifted: true, behind: true },
        prod: { rollout: 'failed' },
      }),
      ['dev', 'staging', 'prod'],
    );
    expect(reasons.map(r => `${r.kind}:${r.environment}`)).toEqual([
      'rollout-failed:prod',
      'drifted:staging',
      'behind:dev',
      'behind:staging',
    ]);
  });

  it('reads only the environments asked for', () => {
    const facts = row({ dev: { drifted: true }, prod: {} });
    expect(needsAttention(facts, ['prod'])).toEqual([]);
    expect(needsAttention(facts, ['dev', 'missing'])).toHaveLength(1);
  });

  describe('properties', () => {
    it('a service that is not set up never needs attention', () => {
      fc.assert(
        fc.property(rowArb, r =>
          expect(needsAttention({ ...r, notSetUp: true })).toEqual([]),
        ),
      );
    });

    it('needs attention exactly when one of the listed facts holds', () => {
      fc.assert(
        fc.property(rowArb, r => {
          const cells = Object.values(r.cells);
          const expected =
            !r.notSetUp &&
            (cells.some(
              c =>
                c.drifted ||
                c.behind ||
                c.healthStatus === 'Degraded' ||
                c.rollout === 'failed' ||
                c.rollout === 'paused',
            ) ||
              r.build?.status === 'failed' ||
              scanFailing(r.scan));
          expect(needsAttention(r).length > 0).toBe(expected);
          expect(attentionRank(needsAttention(r)) > 0).toBe(expected);
        }),
      );
    });

    it('narrowing the environments never adds a reason', () => {
      fc.assert(
        fc.property(
          rowArb,
          fc.subarray(['dev', 'staging', 'prod']),
          (r, envs) => {
            const all = needsAttention(r, ['dev', 'staging', 'prod']);
            for (const reason of needsAttention(r, envs)) {
              expect(all).toContainEqual(reason);
            }
          },
        ),
      );
    });

    it('is ordered worst first and names no environment twice per kind', () => {
      fc.assert(
        fc.property(rowArb, r => {
          const reasons = needsAttention(r);
          const ranks = reasons.map(x => attentionRank([x]));
          expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
          const keys = reasons.map(x => `${x.kind}:${x.environment ?? ''}`);
          expect(new Set(keys).size).toBe(keys.length);
          expect(attentionRank(reasons)).toBe(ranks[0] ?? 0);
        }),
      );
    });
  });
});
