import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { Config, ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  normalizeRepoPath,
  SCAFFOLDER_TASK_TRAILER,
} from '@slipway/plugin-slipway-common';
import {
  assertRepositoryUrl,
  commitToGitOpsRepository,
  displayUrl,
  GitCredentials,
  readContainedTree,
  redactSecrets,
} from '@slipway/plugin-slipway-node';
import { createHash } from 'crypto';
import { examples } from './gitopsCommit.examples';

type Provider = 'github' | 'gitlab' | 'generic';

interface ResolvedRepository {
  provider: Provider;
  apiBaseUrl?: string;
  /** owner/repo (GitHub) or the project path (GitLab). */
  slug: string;
  auth?: GitCredentials;
}

/** The repository slug of a clone URL: its path without `.git` (and without a leading `git/` of plain smart-HTTP servers for GitHub). */
function slugOf(url: URL, provider: Provider): string {
  const segments = url.pathname
    .replace(/\.git$/, '')
    .split('/')
    .filter(Boolean);
  if (segments.length < 2 || segments.some(s => s === '..' || s === '.')) {
    throw new InputError('The repository URL must name owner and repository');
  }
  return provider === 'gitlab'
    ? segments.join('/')
    : segments.slice(-2).join('/');
}

async function resolveRepository(
  repoUrl: string,
  integrations: ScmIntegrations,
  token: string | undefined,
): Promise<ResolvedRepository> {
  const url = new URL(repoUrl);
  const integration = integrations.byUrl(repoUrl);
  if (integration?.type === 'github') {
    const config = integrations.github.byUrl(repoUrl)!.config;
    const slug = slugOf(url, 'github');
    let password = token;
    if (!password) {
      const credentials =
        await DefaultGithubCredentialsProvider.fromIntegrations(
          integrations,
        ).getCredentials({ url: `${url.protocol}//${url.host}/${slug}` });
      password = credentials.token;
    }
    return {
      provider: 'github',
      apiBaseUrl: config.apiBaseUrl,
      slug,
      auth: password ? { username: 'x-access-token', password } : undefined,
    };
  }
  if (integration?.type === 'gitlab') {
    const config = integrations.gitlab.byUrl(repoUrl)!.config;
    const password = token ?? config.token;
    return {
      provider: 'gitlab',
      apiBaseUrl: config.apiBaseUrl,
      slug: slugOf(url, 'gitlab'),
      auth: password ? { username: 'oauth2', password } : undefined,
    };
  }
  return {
    provider: 'generic',
    slug: slugOf(url, 'generic'),
    auth: token ? { username: 'x-access-token', password: token } : undefined,
  };
}

async function callApi(
  method: 'GET' | 'POST',
  url: string,
  headers: Record<string, string>,
  secrets: (string | undefined)[],
  body?: unknown,
): Promise<any> {
  const response = await fetch(url, {
    method,
    headers: {
      ...headers,
      Accept: 'application/json',
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const text = (await response.text()).slice(0, 300);
    throw new Error(
      redactSecrets(
        `${method} ${url} answered ${response.status}: ${text}`,
        secrets,
      ),
    );
  }
  return response.json();
}

async function openPullRequest(
  repository: ResolvedRepository,
  options: { branch: string; base: string; title: string; body: string },
): Promise<string> {
  const token = repository.auth?.password;
  const secrets = [token];
  if (repository.provider === 'github') {
    const api = repository.apiBaseUrl ?? 'https://api.github.com';
    const [owner, repo] = repository.slug.split('/');
    const headers: Record<string, string> = token
      ? { Authorization: `token ${token}` }
      : {};
    const base = `${api}/repos/${encodeURIComponent(
      owner,
    )}/${encodeURIComponent(repo)}/pulls`;
    const existing = await callApi(
      'GET',
      `${base}?state=all&head=${encodeURIComponent(
        `${owner}:${options.branch}`,
      )}`,
      headers,
      secrets,
    );
    // Filter again: a server that ignores the `head` query must not hand back another pull request.
    const same = Array.isArray(existing)
      ? existing.filter((pull: any) => pull?.head?.ref === options.branch)
      : [];
    if (same.length > 0) {
      return same[0].html_url;
    }
    const created = await callApi('POST', base, headers, secrets, {
      title: options.title,
      head: options.branch,
      base: options.base,
      body: options.body,
    });
    return created.html_url;
  }
  if (repository.provider === 'gitlab') {
    const api = repository.apiBaseUrl ?? 'https://gitlab.com/api/v4';
    const headers: Record<string, string> = token
      ? { 'PRIVATE-TOKEN': token }
      : {};
    const base = `${api}/projects/${encodeURIComponent(
      repository.slug,
    )}/merge_requests`;
    const existing = await callApi(
      'GET',
      `${base}?state=all&source_branch=${encodeURIComponent(options.branch)}`,
      headers,
      secrets,
    );
    const same = Array.isArray(existing)
      ? existing.filter((mr: any) => mr?.source_branch === options.branch)
      : [];
    if (same.length > 0) {
      return same[0].web_url;
    }
    const created = await callApi('POST', base, headers, secrets, {
      title: options.title,
      source_branch: options.branch,
      target_branch: options.base,
      description: options.body,
    });
    return created.web_url;
  }
  throw new InputError(
    'Pull request mode needs a GitHub or GitLab integration for the repository host',
  );
}

/**
 * `slipway:gitops:commit`: commits an application's GitOps files from the
 * workspace into an existing GitOps repository (direct commit or pull
 * request), once per task.
 *
 * @public
 */
export function createGitOpsCommitAction(
  options: {
    config?: Config;
    integrations?: ScmIntegrations;
  } = {},
) {
  const integrations =
    options.integrations ??
    ScmIntegrations.fromConfig(options.config ?? new ConfigReader({}));
  return createTemplateAction({
    id: 'slipway:gitops:commit',
    description: `Commits the files of an application's GitOps folder (and new or merged AppProjects) from the workspace into an existing GitOps repository, as a direct commit or a pull request. The commit carries the trailer ${SCAFFOLDER_TASK_TRAILER}: <task id>; a re-run task finds it and writes nothing. Credentials come from the integration for the repository host (or the token input) and never enter a URL or a log.`,
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        repoUrl: z =>
          z
            .string()
            .describe(
              'HTTP(S) clone URL of the GitOps repository, e.g. https://github.com/acme/gitops.git',
            ),
        name: z => z.string().describe('Application name (DNS-1123 label)'),
        sourcePath: z =>
          z
            .string()
            .default('.')
            .describe(
              'Workspace folder that mirrors the GitOps repository root',
            ),
        gitopsPath: z =>
          z
            .string()
            .optional()
            .describe(
              "The application's folder in the repository. Default apps/<name>",
            ),
        extraPaths: z =>
          z
            .array(z.string())
            .default(['projects'])
            .describe(
              'Other repository paths the commit may add to (only new files, or AppProjects merged)',
            ),
        mode: z =>
          z
            .enum(['direct', 'pull-request'])
            .default('direct')
            .describe(
              'Commit to the base branch, or push a branch and open a pull request',
            ),
        branch: z =>
          z
            .string()
            .optional()
            .describe("Base branch. Default: the repository's default branch"),
        commitMessage: z =>
          z
            .string()
            .optional()
            .describe('Commit message (trailers are appended)'),
        token: z =>
          z
            .string()
            .optional()
            .describe(
              "Token to use instead of the integration's credentials (pass it from secrets); without it the task secret gitopsToken is used when present",
            ),
      },
      output: {
        commitSha: z =>
          z
            .string()
            .optional()
            .describe("Commit that carries this task's trailer"),
        branch: z => z.string().describe('Branch the commit is on'),
        alreadyApplied: z =>
          z
            .boolean()
            .describe(
              'True when a previous run of this task had already committed',
            ),
        changed: z =>
          z
            .boolean()
            .describe('False when the repository already held these files'),
        pullRequestUrl: z =>
          z.string().optional().describe('Pull request, in pull-request mode'),
        files: z => z.array(z.string()).describe('Files committed'),
      },
    },
    async handler(ctx) {
      // The scaffolder validates inputs but does not apply schema defaults.
      const input = {
        ...ctx.input,
        sourcePath: ctx.input.sourcePath ?? '.',
        extraPaths: ctx.input.extraPaths ?? ['projects'],
        mode: ctx.input.mode ?? 'direct',
      };
      const app = input.name;
      const repoUrl = assertRepositoryUrl(input.repoUrl, 'repository URL');
      if (!/^https?:\/\//.test(repoUrl)) {
        throw new InputError('The GitOps repository URL must be http(s)');
      }
      const gitopsPath = normalizeRepoPath(
        input.gitopsPath ?? `apps/${app}`,
        'GitOps path',
      );
      const extraPaths = input.extraPaths.map(p =>
        normalizeRepoPath(p, 'extra path'),
      );
      const sourcePath =
        input.sourcePath === '.'
          ? '.'
          : normalizeRepoPath(input.sourcePath, 'source path');
      const sourceRoot = resolveSafeChildPath(ctx.workspacePath, sourcePath);
      const files = (
        await Promise.all(
          [gitopsPath, ...extraPaths].map(folder =>
            readContainedTree(sourceRoot, folder).catch(error => {
              if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
              throw error;
            }),
          ),
        )
      ).flat();
      if (files.length === 0) {
        throw new InputError(`No files under ${gitopsPath} in ${sourcePath}`);
      }
      const taskId = ctx.task.id;
      const mode = input.mode;
      const branchName =
        mode === 'pull-request'
          ? `slipway/scaffold-${app}-${taskId}`
          : undefined;
      const message =
        input.commitMessage ?? `Add ${app} to GitOps (scaffolded)`;

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would commit ${files.length} files to ${displayUrl(
            repoUrl,
          )} (${mode})`,
        );
        ctx.output('branch', branchName ?? input.branch ?? 'main');
        ctx.output('alreadyApplied', false);
        ctx.output('changed', true);
        ctx.output(
          'files',
          files.map(f => f.path),
        );
        return;
      }

      const token =
        input.token ?? (ctx.secrets?.gitopsToken as string | undefined);
      const repository = await resolveRepository(repoUrl, integrations, token);
      const secrets = [repository.auth?.password, token];
      const key = createHash('sha256')
        .update(`${repoUrl}\n${gitopsPath}\n${mode}`)
        .digest('hex')
        .slice(0, 16);

      try {
        const result = await ctx.checkpoint({
          key: `slipway-gitops-commit-${key}`,
          fn: async () => {
            const outcome = await commitToGitOpsRepository({
              url: repoUrl,
              auth: repository.auth,
              workDir: await ctx.createTemporaryDirectory(),
              baseBranch: input.branch,
              files,
              allowedPaths: [gitopsPath, ...extraPaths],
              app,
              appFolder: gitopsPath,
              message,
              idempotencyTrailer: {
                key: SCAFFOLDER_TASK_TRAILER,
                value: taskId,
              },
              mode: mode === 'pull-request' ? 'branch' : 'direct',
              branchName,
              logger: ctx.logger,
            });
            return {
              commitSha: outcome.commitSha ?? '',
              branch: outcome.branch,
              baseBranch: outcome.baseBranch,
              alreadyApplied: outcome.alreadyApplied,
              changed: outcome.changed,
              files: outcome.files,
            };
          },
        });
        let pullRequestUrl: string | undefined;
        if (
          mode === 'pull-request' &&
          result.commitSha &&
          result.branch !== result.baseBranch
        ) {
          pullRequestUrl = await ctx.checkpoint({
            key: `slipway-gitops-pull-request-${key}`,
            fn: async () =>
              openPullRequest(repository, {
                branch: result.branch,
                base: result.baseBranch,
                title: message.split('\n')[0],
                body: `Scaffolded by Slipway.\n\n${SCAFFOLDER_TASK_TRAILER}: ${taskId}`,
              }),
          });
          ctx.logger.info(`Pull request: ${pullRequestUrl}`);
        }
        if (result.commitSha) ctx.output('commitSha', result.commitSha);
        ctx.output('branch', result.branch);
        ctx.output('alreadyApplied', result.alreadyApplied);
        ctx.output('changed', result.changed);
        if (pullRequestUrl) ctx.output('pullRequestUrl', pullRequestUrl);
        ctx.output('files', result.files);
      } catch (error) {
        const e = error as Error;
        e.message = redactSecrets(e.message ?? String(error), secrets);
        if (e.stack) e.stack = redactSecrets(e.stack, secrets);
        throw e;
      }
    },
  });
}
