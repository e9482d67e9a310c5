import { HistoryEntry } from '@slipway/plugin-slipway-common';
import { mergeHistory } from './history';

const image = { repository: 'r', tag: 't' };

function entry(
  source: HistoryEntry['source'],
  revision: string,
  at: string,
  extra: Partial<HistoryEntry> = {},
): HistoryEntry {
  return { environment: 'prod', source, revision, at, ...extra };
}

describe('mergeHistory', () => {
  it('merges an Argo CD sync with its Git commit into one row', () => {
    const rows = mergeHistory([
      entry('argocd', 'aaa', '2026-01-01T00:05:00Z'),
      entry('gitops', 'aaa', '2026-01-01T00:00:00Z', {
        image,
        message: 'Promote',
        promotionId: 'p1',
      }),
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      revision: 'aaa',
      at: '2026-01-01T00:05:00Z',
      image,
      promotionId: 'p1',
      syncs: 1,
    });
    expect(rows[0].commit?.message).toBe('Promote');
    expect(rows[0].sync?.at).toBe('2026-01-01T00:05:00Z');
  });

  it('keeps a commit not yet synced and a sync without its commit, newest first', () => {
    const rows = mergeHistory([
      entry('gitops', 'new', '2026-01-02T00:00:00Z'),
      entry('argocd', 'old', '2026-01-01T00:00:00Z'),
    ]);
    expect(
      rows.map(r => [r.revision, Boolean(r.commit), Boolean(r.sync)]),
    ).toEqual([
      ['new', true, false],
      ['old', false, true],
    ]);
  });

  it('counts re-syncs of the same revision as one deploy, and never merges across environments', () => {
    const rows = mergeHistory([
      entry('gitops', 'aaa', '2026-01-01T00:00:00Z'),
      entry('argocd', 'aaa', '2026-01-01T00:01:00Z'),
      entry('argocd', 'aaa', '2026-01-01T00:09:00Z'),
      entry('argocd', 'aaa', '2026-01-01T00:02:00Z', { environment: 'dev' }),
    ]);
    expect(rows).toHaveLength(2);
    const prod = rows.find(r => r.environment === 'prod')!;
    expect(prod).toMatchObject({ syncs: 2, at: '2026-01-01T00:09:00Z' });
  });
});
