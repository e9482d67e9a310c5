import { HistoryEntry, ImageRef } from '@slipway/plugin-slipway-common';

/** One deploy: the GitOps commit and the Argo CD sync of it, merged. */
export interface DeployRow {
  key: string;
  environment: string;
  /** The GitOps revision (the commit Argo CD synced). */
  revision: string;
  /** When the change happened: the sync when known, else the commit. */
  at: string;
  image?: ImageRef;
  /** The GitOps commit that changed the overlay. */
  commit?: HistoryEntry;
  /** The newest Argo CD sync of that revision. */
  sync?: HistoryEntry;
  /** How many times Argo CD synced this revision (re-syncs are no new deploy). */
  syncs: number;
  promotionId?: string;
}

function later(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/**
 * One row per deploy, newest first: each Argo CD sync joins the GitOps
 * commit of the same revision (and environment); a commit not synced yet,
 * or a sync whose commit is not in the page, stands alone.
 */
export function mergeHistory(items: HistoryEntry[]): DeployRow[] {
  const rows = new Map<string, DeployRow>();
  const ordered = [...items].sort((a, b) => a.at.localeCompare(b.at));
  for (const item of ordered) {
    const key = `${item.environment}|${item.revision}`;
    const row: DeployRow = rows.get(key) ?? {
      key,
      environment: item.environment,
      revision: item.revision,
      at: item.at,
      syncs: 0,
    };
    if (item.source === 'gitops') {
      row.commit = row.commit ?? item;
      row.image = item.image ?? row.image;
      row.promotionId = item.promotionId ?? row.promotionId;
      if (!row.sync) row.at = item.at;
    } else {
      row.sync = item;
      row.syncs += 1;
      row.image = row.image ?? item.image;
      row.promotionId = row.promotionId ?? item.promotionId;
      row.at = row.commit ? later(item.at, row.commit.at) : item.at;
    }
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => b.at.localeCompare(a.at));
}
