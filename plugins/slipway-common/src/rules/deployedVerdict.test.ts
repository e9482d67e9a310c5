import fc from 'fast-check';
import { LiveState, SourceStatus } from '../state';
import { DeployedFacts, deployedVerdict } from './deployedVerdict';
import { driftVerdict } from './driftVerdict';
import { settledVerdict } from './settledVerdict';
import {
  healthArb,
  imageArb,
  liveReference,
  operationArb,
  revisionArb,
  syncArb,
  timeArb,
} from './__testUtils__/arbitraries';

const HEAD = 'c'.repeat(40);
const OLDER = 'b'.repeat(40);
const IMAGE = {
  repository: 'registry.example.com/acme/app',
  tag: 'd'.repeat(40),
  digest: `sha256:${'e'.repeat(64)}`,
};

function facts(overrides: Partial<DeployedFacts> = {}): DeployedFacts {
  return {
    desired: { revision: HEAD, treeId: 'tree', image: IMAGE },
    live: {
      revision: HEAD,
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
      images: [liveReference(IMAGE)],
      operation: { phase: 'Succeeded', finishedAt: '2026-01-01T00:00:00Z' },
      reconciledAt: '2026-01-01T00:05:00Z',
    },
    ...overrides,
  };
}

function live(overrides: Partial<LiveState>): DeployedFacts['live'] {
  return { ...facts().live!, ...overrides };
}

describe('deployedVerdict (THREATS 14)', () => {
  it('is deployed at the head, Synced, Healthy, settled and running the image', () => {
    expect(deployedVerdict(facts())).toEqual({
      deployed: true,
      reason:
        'The live revision ccccccc carries the desired overlay, Synced, Healthy and settled',
    });
  });

  it.each<[string, Partial<DeployedFacts>, string]>([
    ['no application', { live: undefined }, 'Argo CD has no application'],
    ['no overlay', { desired: undefined }, 'overlay is not there'],
    [
      'an overlay without image',
      { desired: { revision: HEAD, treeId: 'tree' } },
      'sets no image',
    ],
    [
      'no live revision',
      { live: live({ revision: undefined }) },
      'no synced revision',
    ],
    [
      'another revision whose overlay differs',
      { live: live({ revision: OLDER }), liveTreeId: 'old-tree' },
      'bbbbbbb does not carry the desired overlay',
    ],
    [
      'another revision unknown to the reader',
      { live: live({ revision: OLDER }) },
      'does not carry',
    ],
    [
      'OutOfSync',
      { live: live({ syncStatus: 'OutOfSync' }) },
      'Argo CD reports OutOfSync',
    ],
    [
      'Progressing',
      { live: live({ healthStatus: 'Progressing' }) },
      'is Progressing',
    ],
    [
      'not reconciled after the operation',
      { live: live({ reconciledAt: '2025-12-31T23:59:00Z' }) },
      'not reconciled since',
    ],
    [
      'another image running',
      { live: live({ images: [`${IMAGE.repository}:other`] }) },
      'Git wants',
    ],
    [
      'a fresh read whose GitOps source failed',
      { decidingSources: { gitops: 'error', delivery: 'ok' } },
      'the GitOps source is error',
    ],
    [
      'a fresh read whose Argo CD source is stale',
      { decidingSources: { gitops: 'ok', delivery: 'stale' } },
      'the Argo CD source is stale',
    ],
  ])('is not deployed with %s', (_name, overrides, reason) => {
    const verdict = deployedVerdict(facts(overrides));
    expect(verdict.deployed).toBe(false);
    expect(verdict.reason).toContain(reason);
  });

  it('is deployed at an older revision whose overlay tree is the head one', () => {
    expect(
      deployedVerdict(
        facts({ live: live({ revision: OLDER }), liveTreeId: 'tree' }),
      ).deployed,
    ).toBe(true);
    expect(
      deployedVerdict(
        facts({
          desired: { revision: HEAD, image: IMAGE },
          live: live({ revision: OLDER }),
          liveTreeId: undefined,
        }),
      ).deployed,
    ).toBe(false);
  });

  it('is deployed only when every condition holds', () => {
    const statusArb = fc.constantFrom<SourceStatus>(
      'ok',
      'error',
      'stale',
      'unconfigured',
      'rate-limited',
    );
    fc.assert(
      fc.property(
        fc.record({
          image: fc.option(imageArb, { nil: undefined }),
          treeId: fc.option(fc.constantFrom('tree', 'old-tree'), {
            nil: undefined,
          }),
          liveTreeId: fc.option(fc.constantFrom('tree', 'old-tree'), {
            nil: undefined,
          }),
          revision: fc.option(fc.oneof(fc.constant(HEAD), revisionArb), {
            nil: undefined,
          }),
          syncStatus: syncArb,
          healthStatus: healthArb,
          runsDesired: fc.boolean(),
          others: fc.array(imageArb, { maxLength: 2 }),
          operation: operationArb,
          reconciledAt: fc.option(timeArb, { nil: undefined }),
          deciding: fc.option(
            fc.record({ gitops: statusArb, delivery: statusArb }),
            { nil: undefined },
          ),
        }),
        input => {
          const images = [
            ...input.others,
            ...(input.runsDesired && input.image ? [input.image] : []),
          ].map(liveReference);
          const liveState = {
            revision: input.revision,
            syncStatus: input.syncStatus,
            healthStatus: input.healthStatus,
            images,
            operation: input.operation,
            reconciledAt: input.reconciledAt,
          };
          const verdict = deployedVerdict({
            desired: {
              revision: HEAD,
              treeId: input.treeId,
              image: input.image,
            },
            liveTreeId: input.liveTreeId,
            live: liveState,
            decidingSources: input.deciding,
          });
          const expected =
            (!input.deciding ||
              (input.deciding.gitops === 'ok' &&
                input.deciding.delivery === 'ok')) &&
            input.image !== undefined &&
            input.revision !== undefined &&
            (input.revision === HEAD ||
              (input.treeId !== undefined &&
                input.liveTreeId === input.treeId)) &&
            input.syncStatus === 'Synced' &&
            input.healthStatus === 'Healthy' &&
            settledVerdict(liveState).settled &&
            !driftVerdict({ desired: input.image, live: liveState }).drifted;
          expect(verdict.deployed).toBe(expected);
          expect(verdict.reason).not.toBe('');
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('deployedVerdict on last-known data (THREATS 12, 13, 34; issue 10)', () => {
  it.each(['stale', 'error', 'rate-limited', undefined] as const)(
    'a %s Argo CD source is never deployed, and the data verdict is kept as last-known',
    status => {
      const verdict = deployedVerdict(
        facts({ decidingSources: { gitops: 'ok', delivery: status } }),
      );
      expect(verdict.deployed).toBe(false);
      expect(verdict.reason).toMatch(/^Unknown: the Argo CD source is/);
      expect(verdict.lastKnown).toEqual({
        deployed: true,
        reason: expect.stringContaining('carries the desired overlay'),
        sources: ['Argo CD'],
      });
    },
  );

  it('names both sources when both are not ok', () => {
    const verdict = deployedVerdict(
      facts({ decidingSources: { gitops: 'stale', delivery: 'error' } }),
    );
    expect(verdict.lastKnown?.sources).toEqual(['GitOps', 'Argo CD']);
  });

  it('has no last-known part when both sources are ok', () => {
    const verdict = deployedVerdict(
      facts({ decidingSources: { gitops: 'ok', delivery: 'ok' } }),
    );
    expect(verdict).toEqual({ deployed: true, reason: expect.any(String) });
  });
});

describe('deployedVerdict names the controller (issue 15)', () => {
  it.each([
    [{ controller: 'flux' as const }, 'Flux has no Kustomization here'],
    [{}, 'Argo CD has no application here'],
  ])('without live state (%o): %s', (extra, reason) => {
    expect(deployedVerdict(facts({ ...extra, live: undefined })).reason).toBe(
      reason,
    );
  });

  it('words every Flux reason from the live state or the facts', () => {
    expect(
      deployedVerdict(
        facts({ live: live({ controller: 'flux', revision: undefined }) }),
      ).reason,
    ).toBe('Flux reports no applied revision');
    expect(
      deployedVerdict(
        facts({ controller: 'flux', live: live({ syncStatus: 'OutOfSync' }) }),
      ).reason,
    ).toBe('Flux reports OutOfSync');
    expect(
      deployedVerdict(
        facts({ live: live({ controller: 'flux', healthStatus: 'Degraded' }) }),
      ).reason,
    ).toBe('The Kustomization is Degraded');
    expect(
      deployedVerdict(facts({ live: live({ healthStatus: 'Degraded' }) }))
        .reason,
    ).toBe('The application is Degraded');
    expect(
      deployedVerdict(facts({ live: live({ revision: undefined }) })).reason,
    ).toBe('Argo CD reports no synced revision');
  });

  it('names the Flux source when it is not ok', () => {
    const verdict = deployedVerdict(
      facts({
        controller: 'flux',
        decidingSources: { gitops: 'ok', delivery: 'error' },
      }),
    );
    expect(verdict.reason).toBe('Unknown: the Flux source is error');
    expect(verdict.lastKnown?.sources).toEqual(['Flux']);
  });
});
