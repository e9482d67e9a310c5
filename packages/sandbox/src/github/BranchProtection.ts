import fs from 'node:fs';
import path from 'node:path';

interface ProtectedBranch {
  owner: string;
  repo: string;
  branch: string;
  since: string;
}

/**
 * Which branches are protected (direct pushes refused, changes through pull
 * requests only), kept in `<dataDir>/github/protected-branches.json` so the
 * setting survives a restart. Nothing is protected unless set through the
 * admin API, so the seeded flows push to `main` as before.
 */
export class BranchProtection {
  private constructor(
    private readonly file: string,
    private records: ProtectedBranch[],
  ) {}

  static create(options: { dataDir: string }): BranchProtection {
    const file = path.join(
      options.dataDir,
      'github',
      'protected-branches.json',
    );
    let records: ProtectedBranch[] = [];
    if (fs.existsSync(file)) {
      try {
        records = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        records = [];
      }
    }
    return new BranchProtection(file, records);
  }

  isProtected(owner: string, repo: string, branch: string): boolean {
    return this.find(owner, repo, branch) !== undefined;
  }

  /** Protected branches of one repository, sorted. */
  list(owner: string, repo: string): string[] {
    return this.records
      .filter(r => r.owner === owner && r.repo === repo)
      .map(r => r.branch)
      .sort();
  }

  set(owner: string, repo: string, branch: string, enabled: boolean): void {
    const others = this.records.filter(
      r => !(r.owner === owner && r.repo === repo && r.branch === branch),
    );
    const existing = this.find(owner, repo, branch);
    this.records = enabled
      ? [
          ...others,
          existing ?? { owner, repo, branch, since: new Date().toISOString() },
        ]
      : others;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(
      this.file,
      `${JSON.stringify(this.records, undefined, 2)}\n`,
    );
  }

  private find(
    owner: string,
    repo: string,
    branch: string,
  ): ProtectedBranch | undefined {
    return this.records.find(
      r => r.owner === owner && r.repo === repo && r.branch === branch,
    );
  }
}
