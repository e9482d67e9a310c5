import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { Config, ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  normalizeRepoPath,
  SCAFFOLDER_TASK_TRAILER,
} from '@slipway/plugin-slipway-common';
import {
  assertRepositoryUrl,
  displayUrl,
  GitOpsGateway,
  readContainedTree,
  redactSecrets,
  ScmCredentials,
} from '@slipway/plugin-slipway-node';
import { createHash } from 'crypto';
import { scaffoldedFilesEdit } from '../gitops/scaffoldedFilesEdit';
import { examples } from './gitopsCommit.examples';

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
    /** The gateway to write through; default: one over the integrations. */
    gateway?: GitOpsGateway;
  } = {},
) {
  const gateway =
    options.gateway ??
    GitOpsGateway.create({
      credentials: ScmCredentials.create({
        integrations:
          options.integrations ??
          ScmIntegrations.fromConfig(options.config ?? new ConfigReader({})),
      }),
    });
  return createTemplateAction({
    id: 'slipway:gitops:commit',
    description: `Commits the files of an application's GitOps folder (and new or merged AppProjects) from the workspace into an existing GitOps repository, as a direct commit or a pull request. The commit carries the trailer ${SCAFFOLDER_TASK_TRAILER}: <task id>; a re-run task finds it and writes nothing. Writes through the GitOps gateway of slipway-node (docs/gitops-gateway.md): a push rejected because the branch moved is retried on the new HEAD, never forced; protected branches and refused credentials fail with typed errors; pull-request mode reuses its branch and pull request. Credentials come from the integration for the repository host (GitHub token or App, GitLab token) or the task secret gitopsToken, never from an input (a token input is refused), and never enter a URL or a log.`,
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
              'Refused: a token given as an input would be stored with the task and shown in its log. Put it in the task secrets as gitopsToken (a Secret field in the template form), or use the host integration',
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

      // Checks every path before anything is fetched (also in a dry run).
      const edit = scaffoldedFilesEdit({
        files,
        allowedPaths: [gitopsPath, ...extraPaths],
        app,
        appFolder: gitopsPath,
      });

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

      if (input.token !== undefined) {
        // Never echo it: name the field, not the value (THREATS 6).
        throw new InputError(
          'The token input is not accepted: pass credentials through the task secrets (gitopsToken) or the host integration',
        );
      }
      const token = ctx.secrets?.gitopsToken as string | undefined;
      const secrets = [token];
      const key = createHash('sha256')
        .update(`${repoUrl}\n${gitopsPath}\n${mode}`)
        .digest('hex')
        .slice(0, 16);

      try {
        const result = await ctx.checkpoint({
          key: `slipway-gitops-commit-${key}`,
          fn: async () => {
            const outcome = await gateway.write({
              repoUrl,
              token,
              workDir: await ctx.createTemporaryDirectory(),
              baseBranch: input.branch,
              mode,
              branch: branchName,
              message,
              idempotencyTrailer: {
                key: SCAFFOLDER_TASK_TRAILER,
                value: taskId,
              },
              allowedPaths: [gitopsPath, ...extraPaths],
              edit,
              pullRequest: {
                title: message.split('\n')[0],
                body: `Scaffolded by Slipway.\n\n${SCAFFOLDER_TASK_TRAILER}: ${taskId}`,
              },
              logger: ctx.logger,
            });
            return {
              commitSha: outcome.commitSha ?? '',
              branch: outcome.branch,
              baseBranch: outcome.baseBranch,
              alreadyApplied: outcome.alreadyApplied,
              changed: outcome.changed,
              files: outcome.files,
              pullRequestUrl: outcome.pullRequestUrl ?? '',
            };
          },
        });
        if (result.commitSha) ctx.output('commitSha', result.commitSha);
        ctx.output('branch', result.branch);
        ctx.output('alreadyApplied', result.alreadyApplied);
        ctx.output('changed', result.changed);
        if (result.pullRequestUrl) {
          ctx.output('pullRequestUrl', result.pullRequestUrl);
        }
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
