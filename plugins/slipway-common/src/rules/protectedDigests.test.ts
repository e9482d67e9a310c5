import { HistoryEntry } from '../state';
import { protectedDigests } from './protectedDigests';
import { rollbackTargets } from './rollbackTargets';

const REPO = 'harbor.example.com/acme/orders';
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

function change(
  environment: string,
  n: number,
  at: string,
  source: HistoryEntry['source'] = 'gitops',
): HistoryEntry {
  return {
    environment,
    source,
    revision: `rev${n}`,
    at,
    image: { repository: REPO, tag: `t${n}`, digest: digest(n) },
  };
}

describe('rollbackTargets', () => {
  it('lists earlier digests newest first, once each, without the current one', () => {
    const items = [
      change('prod', 1, '2026-01-01T00:00:00Z'),
      change('prod', 2, '2026-01-02T00:00:00Z'),
      change('prod', 2, '2026-01-02T00:00:05Z', 'argocd'),
      change('prod', 3, '2026-01-03T00:00:00Z'),
      { ...change('prod', 4, '2026-01-04T00:00:00Z'), image: undefined },
    ];
    expect(rollbackTargets(items, digest(3)).map(i => i.image?.digest)).toEqual(
      [digest(2), digest(1)],
    );
  });
});

describe('protectedDigests', () => {
  const history = (environment: string, count: number) =>
    Array.from({ length: count }, (_, i) =>
      change(
        environment,
        i + 1,
        `2026-01-${String(i + 1).padStart(2, '0')}T00:00:00Z`,
      ),
    );

  it('keeps the desired and live images and the last N rollback candidates per environment', () => {
    const result = protectedDigests(
      [
        {
          entityRef: 'component:default/orders',
          harborRepository: 'acme/orders',
          environments: [
            {
              environment: 'prod',
              desired: { repository: REPO, tag: 't9', digest: digest(9) },
              live: [{ repository: REPO, tag: 't8', digest: digest(8) }],
              history: history('prod', 9),
            },
          ],
        },
      ],
      { keepRollbackCandidates: 2 },
    );
    expect(
      result.map(p => [p.image.digest, p.reasons, p.harborRepository]),
    ).toEqual([
      [digest(9), ['desired'], 'acme/orders'],
      [digest(8), ['live', 'rollback-candidate'], 'acme/orders'],
      [digest(7), ['rollback-candidate'], 'acme/orders'],
    ]);
  });

  it('keeps environments apart and ignores history of other environments', () => {
    const result = protectedDigests(
      [
        {
          entityRef: 'component:default/orders',
          environments: [
            {
              environment: 'dev',
              desired: { repository: REPO, tag: 'abc' },
              history: [...history('prod', 3)],
            },
            {
              environment: 'prod',
              desired: { repository: REPO, digest: digest(3) },
              history: history('prod', 3),
            },
          ],
        },
      ],
      { keepRollbackCandidates: 5 },
    );
    expect(
      result.map(p => [p.environment, p.image.tag, p.image.digest]),
    ).toEqual([
      ['dev', 'abc', undefined],
      ['prod', undefined, digest(3)],
      ['prod', 't2', digest(2)],
      ['prod', 't1', digest(1)],
    ]);
  });

  it('keeps no rollback candidates at 0 and skips images naming nothing', () => {
    const result = protectedDigests(
      [
        {
          entityRef: 'component:default/orders',
          environments: [
            {
              environment: 'prod',
              desired: { repository: REPO },
              live: [{ repository: REPO, digest: digest(5) }],
              history: history('prod', 4),
            },
          ],
        },
      ],
      { keepRollbackCandidates: 0 },
    );
    expect(result.map(p => [p.image.digest, p.reasons])).toEqual([
      [digest(5), ['live']],
    ]);
  });
});
