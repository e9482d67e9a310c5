import { HistoryEntry } from '../state';

/**
 * The digests an environment may be rolled back to: its history's entries
 * with a digest, newest first, each digest once, without the current one.
 * The rollback dialog offers these, and image retention keeps the first N of
 * them, so what can be rolled back to is never deleted.
 *
 * @public
 */
export function rollbackTargets(
  items: HistoryEntry[],
  currentDigest: string | undefined,
): HistoryEntry[] {
  const seen = new Set<string>();
  const targets: HistoryEntry[] = [];
  for (const item of [...items].sort((a, b) => b.at.localeCompare(a.at))) {
    const digest = item.image?.digest;
    if (!digest || digest === currentDigest || seen.has(digest)) continue;
    seen.add(digest);
    targets.push(item);
  }
  return targets;
}
