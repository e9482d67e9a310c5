import { GitRepositories } from './GitRepositories';

export interface PushEvent {
  owner: string;
  repo: string;
  /** Full ref name, e.g. refs/heads/main. */
  ref: string;
  /** Previous SHA, undefined when the ref was created. */
  before: string | undefined;
  after: string;
}

export type PushListener = (event: PushEvent) => void | Promise<void>;

/**
 * Notices new commits on branches of the bare repositories, whichever way
 * they arrived (smart HTTP push, API write, merge): polls every interval and
 * checks at once when told a repository changed.
 */
export class RepoWatcher {
  private readonly known = new Map<string, Map<string, string>>();
  private readonly listeners: PushListener[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  private constructor(
    private readonly repos: GitRepositories,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  static async create(options: {
    repos: GitRepositories;
    intervalMs: number;
    onError: (error: unknown) => void;
  }): Promise<RepoWatcher> {
    const watcher = new RepoWatcher(
      options.repos,
      options.intervalMs,
      options.onError,
    );
    for (const { owner, repo } of options.repos.list()) {
      watcher.known.set(
        `${owner}/${repo}`,
        await watcher.readHeads(owner, repo),
      );
    }
    watcher.schedule();
    return watcher;
  }

  onPush(listener: PushListener): void {
    this.listeners.push(listener);
  }

  /** Checks one repository now (after a push or API write); resolves when listeners ran. */
  check(owner: string, repo: string): Promise<void> {
    this.running = this.running
      .then(() => this.scan([{ owner, repo }]))
      .catch(this.onError);
    return this.running;
  }

  /** Registers a repository created at runtime, so its first push is noticed. */
  async track(owner: string, repo: string): Promise<void> {
    const key = `${owner}/${repo}`;
    if (!this.known.has(key)) {
      this.known.set(key, new Map());
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.running
        .then(() => this.scan(this.repos.list()))
        .catch(this.onError)
        .finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref?.();
  }

  private async readHeads(
    owner: string,
    repo: string,
  ): Promise<Map<string, string>> {
    const heads = new Map<string, string>();
    for (const { ref, sha } of await this.repos.listRefs(
      owner,
      repo,
      'refs/heads/',
    )) {
      heads.set(ref, sha);
    }
    return heads;
  }

  private async scan(
    targets: Array<{ owner: string; repo: string }>,
  ): Promise<void> {
    for (const { owner, repo } of targets) {
      if (this.stopped || !this.repos.exists(owner, repo)) continue;
      const key = `${owner}/${repo}`;
      const previous = this.known.get(key) ?? new Map<string, string>();
      const current = await this.readHeads(owner, repo);
      this.known.set(key, current);
      for (const [ref, after] of current) {
        const before = previous.get(ref);
        if (before === after) continue;
        for (const listener of this.listeners) {
          try {
            await listener({ owner, repo, ref, before, after });
          } catch (error) {
            this.onError(error);
          }
        }
      }
    }
  }
}
