import fs from 'node:fs';
import path from 'node:path';

export interface MergeRequestRecord {
  /** Global id, unique across projects. */
  id: number;
  /** Project path, `<group>/<project>`. */
  project: string;
  /** Number within the project (`!iid`). */
  iid: number;
  title: string;
  description: string | undefined;
  sourceBranch: string;
  targetBranch: string;
  state: 'opened' | 'closed' | 'merged';
  mergeCommitSha: string | undefined;
  /** Source and target heads frozen when the merge request was closed or merged. */
  closedHeadSha: string | undefined;
  closedBaseSha: string | undefined;
  createdAt: string;
  updatedAt: string;
  mergedAt: string | undefined;
  closedAt: string | undefined;
}

/** Merge requests, kept in `<dataDir>/merge_requests.json` so they survive a restart. */
export class MergeRequests {
  private constructor(
    private readonly file: string,
    private readonly records: MergeRequestRecord[],
  ) {}

  static create(options: { dataDir: string }): MergeRequests {
    const file = path.join(options.dataDir, 'merge_requests.json');
    let records: MergeRequestRecord[] = [];
    if (fs.existsSync(file)) {
      try {
        records = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        records = [];
      }
    }
    return new MergeRequests(file, records);
  }

  /** The project's merge requests, newest first. */
  list(project: string): MergeRequestRecord[] {
    return this.records
      .filter(r => r.project === project)
      .sort((a, b) => b.iid - a.iid);
  }

  get(project: string, iid: number): MergeRequestRecord | undefined {
    return this.records.find(r => r.project === project && r.iid === iid);
  }

  add(record: Omit<MergeRequestRecord, 'id' | 'iid'>): MergeRequestRecord {
    const iid = Math.max(0, ...this.list(record.project).map(r => r.iid)) + 1;
    const id = Math.max(0, ...this.records.map(r => r.id)) + 1;
    const created = { ...record, id, iid };
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
