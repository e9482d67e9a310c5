import fc from 'fast-check';
import { FleetCell, FleetRow } from '../state';
import {
  EnvironmentVerdict,
  EnvironmentVerdictKind,
  environmentVerdict,
  SCAFFOLDED_IMAGE_TAG,
} from './environmentVerdict';
import { attentionRank, needsAttention, scanFailing } from './needsAttention';

const LABELS: Record<EnvironmentVerdictKind, string> = {
  'awaiting-first-deploy': 'Awaiting first deploy',
  'awaiting-sync': 'Awaiting sync',
  'rolling-out': 'Rolling out',
  deployed: 'Deployed',
  degraded: 'Degraded',
  drifted: 'Drifted',
  failed: 'Sync failed',
  unknown: 'Unknown',
};

/** A verdict of a kind, worded as the rule words it most often. */
function verdict(
  kind: EnvironmentVerdictKind,
  label = LABELS[kind],
): EnvironmentVerdict {
  return { kind, label, reason: 'because', tone: 'unknown' };
}

const calm: FleetCell = {
  tag: 'abc',
  syncStatus: 'Synced',
  healthStatus: 'Healthy',
  deployed: true,
  behind: false,
  verdict: verdict('deployed'),
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
    verdict: fc.oneof(
      fc
        .constantFrom(...(Object.keys(LABELS) as EnvironmentVerdictKind[]))
        .map(kind => verdict(kind)),
      // On last-known data: the kind is unknown, the data's kind is kept.
      fc
        .constantFrom(...(Object.keys(LABELS) as EnvironmentVerdictKind[]))
        .map(kind => ({
          ...verdict('unknown', `Last known: ${LABELS[kind]}`),
          lastKnown: { kind, label: LABELS[kind] },
        })),
    ),
  },
  { requiredKeys: ['deployed', 'behind', 'verdict'] },
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
    [
      { drifted: true, verdict: verdict('drifted') },
      'drifted',
      'Drifted in prod',
    ],
    [
      { healthStatus: 'Degraded' as const, verdict: verdict('degraded') },
      'degraded',
      'Degraded in prod',
    ],
    [
      {
        healthStatus: 'Missing' as const,
        verdict: verdict('degraded', 'Missing'),
      },
      'degraded',
      'Missing in prod',
    ],
    [{ verdict: verdict('failed') }, 'rollout-failed', 'Sync failed in prod'],
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
        staging: { verdict: verdict('drifted'), behind: true },
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
    const facts = row({ dev: { verdict: verdict('drifted') }, prod: {} });
    expect(needsAttention(facts, ['prod'])).toEqual([]);
    expect(needsAttention(facts, ['dev', 'missing'])).toHaveLength(1);
  });

  it('the drift rule alone is not drift: only a drifted verdict is', () => {
    expect(
      needsAttention(
        row({ prod: { drifted: true, verdict: verdict('awaiting-sync') } }),
      ),
    ).toEqual([]);
  });

  it('names last-known verdicts as last known', () => {
    expect(
      needsAttention(
        row({
          prod: {
            verdict: {
              ...verdict('unknown', 'Last known: drifted'),
              lastKnown: { kind: 'drifted', label: 'Drifted' },
            },
          },
        }),
      ),
    ).toEqual([
      {
        kind: 'drifted',
        environment: 'prod',
        text: 'Drifted in prod (last known)',
      },
    ]);
  });

  describe('a never-promoted environment (awaiting first deploy)', () => {
    // What the fleet sends for a new service: overlay tag `scaffolded`,
    // Argo CD's Application Missing, the drift rule's raw facts disagreeing.
    const scaffolded: Partial<FleetCell> = {
      tag: SCAFFOLDED_IMAGE_TAG,
      syncStatus: 'OutOfSync',
      healthStatus: 'Missing',
      deployed: false,
      drifted: true,
      driftReasons: ['Argo CD reports OutOfSync'],
      behind: true,
      verdict: environmentVerdict({
        environment: 'staging',
        syncMode: 'manual',
        desired: {
          path: 'apps/a/overlays/staging',
          image: { repository: 'r', tag: SCAFFOLDED_IMAGE_TAG },
        },
        live: {
          application: 'a-staging',
          instance: 'main',
          syncStatus: 'OutOfSync',
          healthStatus: 'Missing',
          images: [],
        },
        drift: { drifted: true, reasons: ['Argo CD reports OutOfSync'] },
        deployed: false,
      }),
    };

    it('is calm: not drift, not degraded, not behind', () => {
      expect(scaffolded.verdict!.kind).toBe('awaiting-first-deploy');
      expect(needsAttention(row({ dev: {}, staging: scaffolded }))).toEqual([]);
    });

    it('still lets a failed CI run or a failing scan count', () => {
      expect(
        needsAttention(
          row(
            { staging: scaffolded },
            {
              build: { status: 'failed' },
              scan: { status: 'Error', critical: 0, high: 0 },
            },
          ),
        ).map(r => r.kind),
      ).toEqual(['ci-failed', 'scan-failing']);
    });
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
          const kindOf = (c: FleetCell) =>
            c.verdict.lastKnown?.kind ?? c.verdict.kind;
          const expected =
            !r.notSetUp &&
            (cells.some(
              c =>
                kindOf(c) !== 'awaiting-first-deploy' &&
                (['drifted', 'degraded', 'failed'].includes(kindOf(c)) ||
                  c.behind ||
                  c.rollout === 'failed' ||
                  c.rollout === 'paused'),
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
