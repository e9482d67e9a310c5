/** The states GitHub accepts for a commit status. */
export const COMMIT_STATUS_STATES = [
  'error',
  'failure',
  'pending',
  'success',
] as const;

export type CommitStatusState = (typeof COMMIT_STATUS_STATES)[number];

export interface CommitStatusRecord {
  id: number;
  owner: string;
  repo: string;
  sha: string;
  state: CommitStatusState;
  context: string;
  description: string | undefined;
  targetUrl: string | undefined;
  createdAt: string;
  updatedAt: string;
}

/**
 * Commit statuses (`POST /repos/{o}/{r}/statuses/{sha}`), in memory: what a
 * verification workflow reports on the commit that built an image. Each
 * POST adds a status, as on GitHub; lists are newest first.
 */
export class CommitStatuses {
  private readonly records: CommitStatusRecord[] = [];
  private nextId = 1;

  static create(): CommitStatuses {
    return new CommitStatuses();
  }

  private constructor() {}

  add(
    record: Omit<CommitStatusRecord, 'id' | 'createdAt' | 'updatedAt'>,
    now = new Date(),
  ): CommitStatusRecord {
    const at = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const created = {
      ...record,
      id: this.nextId++,
      createdAt: at,
      updatedAt: at,
    };
    this.records.push(created);
    return created;
  }

  /** The statuses of a commit, newest first. */
  list(owner: string, repo: string, sha: string): CommitStatusRecord[] {
    return this.records
      .filter(r => r.owner === owner && r.repo === repo && r.sha === sha)
      .sort((a, b) => b.id - a.id);
  }
}
