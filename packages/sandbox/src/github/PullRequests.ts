import fs from 'node:fs';
import path from 'node:path';

export interface PullRequestRecord {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string | undefined;
  head: string;
  base: string;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  mergeCommitSha: string | undefined;
  /** Head SHA frozen when the pull request was closed or merged. */
  closedHeadSha: string | undefined;
  closedBaseSha: string | undefined;
  createdAt: string;
  updatedAt: string;
  closedAt: string | undefined;
  mergedAt: string | undefined;
}

/** Pull requests, kept in `<dataDir>/github/pulls.json` so they survive a restart. */
export class PullRequests {
  private constructor(
    private readonly file: string,
    private readonly records: PullRequestRecord[],
  ) {}

  static create(options: { dataDir: string }): PullRequests {
    const file = path.join(options.dataDir, 'github', 'pulls.json');
    let records: PullRequestRecord[] = [];
    if (fs.existsSync(file)) {
      try {
        records = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        records = [];
      }
    }
    return new PullRequests(file, records);
  }

  list(owner: string, repo: string): PullRequestRecord[] {
    return this.records
      .filter(r => r.owner === owner && r.repo === repo)
      .sort((a, b) => b.number - a.number);
  }

  get(
    owner: string,
    repo: string,
    number: number,
  ): PullRequestRecord | undefined {
    return this.records.find(
      r => r.owner === owner && r.repo === repo && r.number === number,
    );
  }

  add(record: Omit<PullRequestRecord, 'number'>): PullRequestRecord {
    const number =
      Math.max(0, ...this.list(record.owner, record.repo).map(r => r.number)) +
      1;
    const created = { ...record, number };
    this.records.push(created);
    this.save();
    return created;
  }

  save(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(
      this.file,
      `${JSON.stringify(this.records, undefined, 2)}\n`,
    );
  }
}
