import fs from 'node:fs';
import path from 'node:path';
import { GitRepositories, isoSeconds } from '../git/GitRepositories';
import { RepoMetadata } from './githubObjects';

const METADATA_FILE = 'sandbox-repository.json';

/** Repository metadata that git does not hold (description, visibility, creation time). */
export class RepoCatalog {
  private constructor(private readonly repos: GitRepositories) {}

  static create(options: { repos: GitRepositories }): RepoCatalog {
    return new RepoCatalog(options.repos);
  }

  async create(
    owner: string,
    name: string,
    options: { description?: string; private?: boolean },
  ): Promise<void> {
    await this.repos.init(owner, name);
    const now = isoSeconds(Date.now());
    const stored = {
      description: options.description,
      private: options.private ?? false,
      createdAt: now,
    };
    fs.writeFileSync(
      path.join(this.repos.repoPath(owner, name), METADATA_FILE),
      JSON.stringify(stored),
    );
  }

  async get(owner: string, name: string): Promise<RepoMetadata | undefined> {
    if (!this.repos.exists(owner, name)) {
      return undefined;
    }
    let stored: {
      description?: string;
      private?: boolean;
      createdAt?: string;
    } = {};
    const file = path.join(this.repos.repoPath(owner, name), METADATA_FILE);
    if (fs.existsSync(file)) {
      try {
        stored = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        stored = {};
      }
    }
    const history = await this.repos.log(owner, name, 'main');
    const first = history.length
      ? await this.repos.getCommit(owner, name, history[history.length - 1])
      : undefined;
    const last = history.length
      ? await this.repos.getCommit(owner, name, history[0])
      : undefined;
    const createdAt =
      stored.createdAt ?? first?.committer.date ?? isoSeconds(Date.now());
    const pushedAt = last?.committer.date ?? createdAt;
    return {
      owner,
      name,
      description: stored.description,
      private: stored.private ?? false,
      createdAt,
      pushedAt,
      updatedAt: pushedAt,
    };
  }
}
