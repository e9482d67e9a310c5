import {
  CommitInfo,
  ImageRef,
  overlayImage,
  PROMOTION_TRAILER,
  repoKey,
  repositoryName,
} from '@slipway/plugin-slipway-common';
import {
  GitOpsChange,
  GitOpsOverlay,
  GitOpsReaderProvider,
  GitOpsSnapshot,
  ProviderCallContext,
  UpstreamError,
} from '@slipway/plugin-slipway-node';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const MAX_FILE_BYTES = 256 * 1024;
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
const KUSTOMIZATION_FILES = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
];

/** Credentials for one host, sent as an HTTP header through git's environment. */
export type GitAuthLookup = (
  url: URL,
) =>
  | { username: string; password: string }
  | undefined
  | Promise<{ username: string; password: string } | undefined>;

/**
 * Parses a kustomization file, bounded (the file is at most
 * MAX_FILE_BYTES, aliases are capped); unreadable YAML is `undefined`.
 */
export function parseKustomization(text: string): unknown {
  try {
    return parse(text, { maxAliasCount: 50 });
  } catch {
    return undefined;
  }
}

/** The image a kustomization file sets for the entity's image (the common rule). */
function overlayImageOfFile(
  content: Buffer,
  imageName?: string,
): ImageRef | undefined {
  return overlayImage(parseKustomization(content.toString('utf8')), imageName);
}

/** Reads the `Slipway-Promotion` trailer of a commit message. */
export function promotionTrailer(message: string): string | undefined {
  const pattern = new RegExp(
    `^${PROMOTION_TRAILER}:[ \\t]*([A-Za-z0-9._:-]{1,128})[ \\t]*$`,
    'm',
  );
  const paragraphs = message.trim().split(/\n\s*\n/);
  // Trailers sit in the last paragraph, never in the subject.
  if (paragraphs.length < 2) return undefined;
  return pattern.exec(paragraphs[paragraphs.length - 1])?.[1];
}

interface CatFileEntry {
  type: string;
  oid: string;
  content?: Buffer;
}

/**
 * Reads GitOps repositories with the git command line over HTTP(S): a bare
 * clone cached under a data folder, refreshed with `git fetch`. No hooks, no
 * credential helpers, no prompts; the token travels in an HTTP header set
 * through git's environment, never in a URL or an argument.
 */
export class GitCliGitOpsReader implements GitOpsReaderProvider {
  readonly kind = 'gitops' as const;
  readonly id = 'git';
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly fetchedAt = new Map<string, number>();

  static create(options: {
    cacheDir: string;
    auth?: GitAuthLookup;
    minFetchIntervalMs?: number;
    /**
     * Hosts the reader may fetch from (entity annotations name the URL, so
     * an unchecked host would let any entity make the backend fetch from
     * anywhere). Defaults to any host.
     */
    allowHost?: (host: string) => boolean;
  }) {
    fs.mkdirSync(options.cacheDir, { recursive: true });
    return new GitCliGitOpsReader(
      options.cacheDir,
      options.auth,
      options.minFetchIntervalMs ?? 2000,
      options.allowHost ?? (() => true),
    );
  }

  private constructor(
    private readonly cacheDir: string,
    private readonly auth: GitAuthLookup | undefined,
    private readonly minFetchIntervalMs: number,
    private readonly allowHost: (host: string) => boolean,
  ) {}

  supports(repoUrl: string): boolean {
    try {
      const url = new URL(repoUrl);
      return (
        (url.protocol === 'https:' || url.protocol === 'http:') &&
        !url.username &&
        !url.password &&
        this.allowHost(url.host.toLowerCase())
      );
    } catch {
      return false;
    }
  }

  /** Forgets when the repository was fetched, so the next read fetches it. */
  async invalidate(repoUrl: string): Promise<void> {
    this.fetchedAt.delete(repoKey(repoUrl));
  }

  /**
   * Forgets when every repository named `owner/name` was fetched, on any
   * host (webhooks name a repository, not its URL).
   */
  async invalidateRepository(repository: string): Promise<void> {
    const name = repository.toLowerCase();
    for (const key of [...this.fetchedAt.keys()]) {
      if (repositoryName(key) === name) this.fetchedAt.delete(key);
    }
  }

  private dirOf(repoUrl: string): string {
    const hash = crypto
      .createHash('sha256')
      .update(repoKey(repoUrl))
      .digest('hex')
      .slice(0, 24);
    return path.join(this.cacheDir, `${hash}.git`);
  }

  private async env(repoUrl: string): Promise<NodeJS.ProcessEnv> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: this.cacheDir,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: '',
      SSH_ASKPASS: '',
      LANG: 'C',
      LC_ALL: 'C',
    };
    const config: [string, string][] = [
      ['core.hooksPath', '/dev/null'],
      ['credential.helper', ''],
      ['protocol.allow', 'never'],
      ['protocol.https.allow', 'always'],
      ['protocol.http.allow', 'always'],
      ['http.followRedirects', 'false'],
    ];
    const credentials = await this.auth?.(new URL(repoUrl));
    if (credentials) {
      const basic = Buffer.from(
        `${credentials.username}:${credentials.password}`,
      ).toString('base64');
      config.push(['http.extraHeader', `Authorization: Basic ${basic}`]);
    }
    env.GIT_CONFIG_COUNT = String(config.length);
    config.forEach(([key, value], index) => {
      env[`GIT_CONFIG_KEY_${index}`] = key;
      env[`GIT_CONFIG_VALUE_${index}`] = value;
    });
    return env;
  }

  private async git(
    repoUrl: string,
    args: string[],
    context: ProviderCallContext,
    options: { cwd?: string; input?: string } = {},
  ): Promise<Buffer> {
    const env = await this.env(repoUrl);
    return new Promise((resolve, reject) => {
      const child = execFile(
        'git',
        args,
        {
          cwd: options.cwd ?? this.dirOf(repoUrl),
          env,
          encoding: 'buffer',
          maxBuffer: MAX_OUTPUT_BYTES,
          signal: context.signal,
          timeout: 60_000,
        },
        (error, stdout, stderr) => {
          if (error) {
            if (context.signal.aborted) {
              reject(
                new UpstreamError('GitOps repository did not answer in time', {
                  kind: 'timeout',
                }),
              );
              return;
            }
            const text = String(stderr ?? '');
            const status = /returned error: (\d{3})/.exec(text)?.[1];
            if (status === '429' || status === '403') {
              reject(
                new UpstreamError(
                  `GitOps repository refused access (HTTP ${status})`,
                  {
                    kind: status === '429' ? 'rate-limited' : 'error',
                    status: Number(status),
                    retryAt: status === '429' ? Date.now() + 15_000 : undefined,
                  },
                ),
              );
              return;
            }
            reject(
              new UpstreamError(
                status
                  ? `GitOps repository answered HTTP ${status}`
                  : `git ${args[0]} failed`,
                { status: status ? Number(status) : undefined },
              ),
            );
            return;
          }
          resolve(stdout);
        },
      );
      if (options.input !== undefined) {
        child.stdin?.end(options.input);
      }
    });
  }

  /** Clones or fetches, at most once per interval and once at a time per repository. */
  private async refresh(
    repoUrl: string,
    context: ProviderCallContext,
    options: { force?: boolean } = {},
  ): Promise<void> {
    const key = repoKey(repoUrl);
    const last = this.fetchedAt.get(key);
    if (
      !options.force &&
      last !== undefined &&
      Date.now() - last < this.minFetchIntervalMs
    )
      return;
    let running = this.inflight.get(key);
    if (!running) {
      running = this.doRefresh(repoUrl, key).finally(() =>
        this.inflight.delete(key),
      );
      this.inflight.set(key, running);
    }
    // The refresh has its own budget; a caller that gives up does not abort it for others.
    await Promise.race([
      running,
      new Promise<never>((_, reject) => {
        if (context.signal.aborted)
          reject(
            new UpstreamError('GitOps repository did not answer in time', {
              kind: 'timeout',
            }),
          );
        context.signal.addEventListener('abort', () =>
          reject(
            new UpstreamError('GitOps repository did not answer in time', {
              kind: 'timeout',
            }),
          ),
        );
      }),
    ]);
  }

  private async doRefresh(repoUrl: string, key: string): Promise<void> {
    const started = Date.now();
    const dir = this.dirOf(repoUrl);
    const context = { signal: AbortSignal.timeout(120_000) };
    if (!fs.existsSync(path.join(dir, 'HEAD'))) {
      const temp = `${dir}.${process.pid}.${crypto
        .randomBytes(4)
        .toString('hex')}.tmp`;
      try {
        await this.git(
          repoUrl,
          ['clone', '--bare', '--quiet', '--no-tags', '--', repoUrl, temp],
          context,
          {
            cwd: this.cacheDir,
          },
        );
        fs.renameSync(temp, dir);
      } catch (error) {
        fs.rmSync(temp, { recursive: true, force: true });
        if (!fs.existsSync(path.join(dir, 'HEAD'))) throw error;
      }
    } else {
      await this.git(
        repoUrl,
        [
          'fetch',
          '--quiet',
          '--prune',
          '--no-tags',
          'origin',
          '+refs/heads/*:refs/heads/*',
        ],
        context,
      );
    }
    this.fetchedAt.set(key, started);
  }

  /** Reads many objects in one `git cat-file --batch`. */
  private async catFile(
    repoUrl: string,
    specs: string[],
    context: ProviderCallContext,
  ): Promise<(CatFileEntry | undefined)[]> {
    if (specs.length === 0) return [];
    const out = await this.git(repoUrl, ['cat-file', '--batch'], context, {
      input: `${specs.join('\n')}\n`,
    });
    const entries: (CatFileEntry | undefined)[] = [];
    let offset = 0;
    for (let i = 0; i < specs.length; i++) {
      const newline = out.indexOf(0x0a, offset);
      if (newline < 0) break;
      const header = out.subarray(offset, newline).toString('utf8');
      offset = newline + 1;
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        entries.push(undefined);
        continue;
      }
      const [oid, type, sizeText] = header.split(' ');
      const size = Number(sizeText);
      const entry: CatFileEntry = { oid, type };
      if (type === 'blob' && size <= MAX_FILE_BYTES) {
        entry.content = out.subarray(offset, offset + size);
      }
      offset += size + 1;
      entries.push(entry);
    }
    return entries;
  }

  /**
   * A file's text at the head (fresh: the clone is refreshed first), with
   * the head commit; undefined content when the file does not exist. Bounded
   * like every read.
   */
  async readFile(
    request: { repoUrl: string; path: string },
    context: ProviderCallContext,
  ): Promise<{ revision: string; content?: string }> {
    await this.refresh(request.repoUrl, context, { force: true });
    const [head, file] = await this.catFile(
      request.repoUrl,
      ['HEAD', `HEAD:${request.path}`],
      context,
    );
    if (!head || head.type !== 'commit') {
      throw new UpstreamError('GitOps repository has no HEAD commit', {
        kind: 'malformed',
      });
    }
    return {
      revision: head.oid,
      content:
        file?.type === 'blob' && file.content
          ? file.content.toString('utf8')
          : undefined,
    };
  }

  async readOverlays(
    request: {
      repoUrl: string;
      paths: { path: string; imageName?: string }[];
      revisions?: string[];
    },
    context: ProviderCallContext,
  ): Promise<
    GitOpsSnapshot & {
      treesAt?: Record<string, Record<string, string | undefined>>;
    }
  > {
    await this.refresh(request.repoUrl, context);
    // One `git cat-file --batch`: the head commit first, then every overlay.
    const revisions = [
      ...new Set(
        (request.revisions ?? []).filter(r => /^[0-9a-f]{7,64}$/.test(r)),
      ),
    ];
    const specs: string[] = ['HEAD'];
    for (const { path: p } of request.paths) {
      specs.push(`HEAD:${p}`);
      for (const file of KUSTOMIZATION_FILES) specs.push(`HEAD:${p}/${file}`);
      for (const r of revisions) specs.push(`${r}:${p}`);
    }
    const [head, ...entries] = await this.catFile(
      request.repoUrl,
      specs,
      context,
    );
    if (!head || head.type !== 'commit') {
      throw new UpstreamError('GitOps repository has no commits');
    }
    const revision = head.oid;
    const overlays: Record<string, GitOpsOverlay | undefined> = {};
    const treesAt: Record<string, Record<string, string | undefined>> = {};
    let index = 0;
    for (const { path: p, imageName } of request.paths) {
      const tree = entries[index++];
      const files = entries.slice(index, index + KUSTOMIZATION_FILES.length);
      index += KUSTOMIZATION_FILES.length;
      for (const r of revisions) {
        treesAt[r] ??= {};
        treesAt[r][p] = entries[index]?.oid;
        index += 1;
      }
      if (!tree || tree.type !== 'tree') {
        overlays[p] = undefined;
        continue;
      }
      const file = files.find(f => f?.content);
      overlays[p] = {
        path: p,
        treeId: tree.oid,
        image: file?.content
          ? overlayImageOfFile(file.content, imageName)
          : undefined,
      };
    }
    return { revision, overlays, treesAt };
  }

  /**
   * The last commit that changed each folder, as of `revision` (default the
   * head), from one bounded `git log` over all of them.
   */
  async lastChanges(
    request: { repoUrl: string; paths: string[]; revision?: string },
    context: ProviderCallContext,
  ): Promise<Record<string, GitOpsChange | undefined>> {
    await this.refresh(request.repoUrl, context);
    const revision = request.revision ?? 'HEAD';
    const result: Record<string, GitOpsChange | undefined> = {};
    if (revision !== 'HEAD' && !/^[0-9a-f]{7,64}$/.test(revision))
      return result;
    let out: Buffer;
    try {
      out = await this.git(
        request.repoUrl,
        [
          'log',
          '--max-count=1000',
          '--format=%x1e%H%x1f%an%x1f%aI%x1f%B%x1d',
          '--name-only',
          revision,
          '--',
          ...request.paths,
        ],
        context,
      );
    } catch (error) {
      if (revision !== 'HEAD') return result; // revision unknown to this clone
      throw error;
    }
    const missing = new Set(request.paths);
    for (const record of out.toString('utf8').split('\x1e')) {
      if (missing.size === 0) break;
      const end = record.indexOf('\x1d');
      if (end < 0) continue;
      const [sha, author, date, message] = record.slice(0, end).split('\x1f');
      const files = record
        .slice(end + 1)
        .split('\n')
        .filter(Boolean);
      for (const folder of [...missing]) {
        if (files.some(file => file.startsWith(`${folder}/`))) {
          missing.delete(folder);
          result[folder] = {
            commit: {
              sha,
              author: author.slice(0, 200),
              committedAt: new Date(date).toISOString(),
              message: message.trim().split('\n')[0]?.slice(0, 500),
            },
            promotionId: promotionTrailer(message),
          };
        }
      }
    }
    return result;
  }

  async history(
    request: {
      repoUrl: string;
      path: string;
      imageName?: string;
      limit: number;
      revision?: string;
      withImages?: boolean;
    },
    context: ProviderCallContext,
  ): Promise<GitOpsChange[]> {
    await this.refresh(request.repoUrl, context);
    const revision = request.revision ?? 'HEAD';
    if (revision !== 'HEAD' && !/^[0-9a-f]{7,64}$/.test(revision)) return [];
    let out: Buffer;
    try {
      out = await this.git(
        request.repoUrl,
        [
          'log',
          `--max-count=${Math.min(Math.max(request.limit, 1), 500)}`,
          '--format=%H%x1f%an%x1f%aI%x1f%B%x1e',
          revision,
          '--',
          request.path,
        ],
        context,
      );
    } catch (error) {
      if (revision !== 'HEAD') return []; // revision unknown to this clone
      throw error;
    }
    const commits = out
      .toString('utf8')
      .split('\x1e')
      .map(r => r.replace(/^\n/, ''))
      .filter(r => r.includes('\x1f'))
      .map(record => {
        const [sha, author, date, message] = record.split('\x1f');
        const commit: CommitInfo = {
          sha,
          author: author.slice(0, 200),
          committedAt: new Date(date).toISOString(),
          message: message.trim().split('\n')[0]?.slice(0, 500),
        };
        return {
          commit,
          promotionId: promotionTrailer(message),
        } as GitOpsChange;
      });
    if (request.withImages === false) return commits;
    const specs = commits.flatMap(c =>
      KUSTOMIZATION_FILES.map(f => `${c.commit.sha}:${request.path}/${f}`),
    );
    const files = await this.catFile(request.repoUrl, specs, context);
    commits.forEach((change, i) => {
      const file = files
        .slice(
          i * KUSTOMIZATION_FILES.length,
          (i + 1) * KUSTOMIZATION_FILES.length,
        )
        .find(f => f?.content);
      if (file?.content)
        change.image = overlayImageOfFile(file.content, request.imageName);
    });
    return commits;
  }
}
