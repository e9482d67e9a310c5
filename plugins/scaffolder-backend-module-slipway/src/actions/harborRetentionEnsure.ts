import { Config } from '@backstage/config';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  DEFAULT_KEEP_LAST_PUSHED,
  desiredPolicy,
  HarborRetentionClient,
  HarborRetentionPolicy,
  MAX_HARBOR_RULES,
  NO_PROTECTED_TAGS_PATTERN,
  policyChanged,
  scaffoldedRules,
  UpstreamError,
} from '@slipway/plugin-slipway-node';
import { examples } from './harborRetentionEnsure.examples';

/** Harbor's project name grammar. */
const PROJECT_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** Harbor's cron: six fields, seconds first. */
const HARBOR_CRON = /^\S+(\s+\S+){5}$/;

/** What the action did to the project's policy. */
type Outcome = 'created' | 'updated' | 'unchanged';

/**
 * A Harbor failure as the error type the scaffolder shows: refused
 * credentials, a missing project, a refused policy, a conflict, or Harbor
 * not answering. The message is the client's (never the password).
 */
function typedError(error: unknown, project: string): Error {
  if (!(error instanceof UpstreamError)) return error as Error;
  const message = `${error.message} (Harbor project ${project})`;
  switch (error.status) {
    case 401:
    case 403:
      return new NotAllowedError(
        `${message}: the slipway.harbor account may not change this project's tag retention (a project admin can)`,
      );
    case 404:
      return new NotFoundError(message);
    case 400:
    case 422:
      return new InputError(message);
    case 409:
      return new ConflictError(message);
    default:
      return new ServiceUnavailableError(message);
  }
}

function readHarbor(config?: Config): HarborRetentionClient | undefined {
  const harbor = config?.getOptionalConfig('slipway.harbor');
  if (!harbor) return undefined;
  return HarborRetentionClient.create({
    url: harbor.getString('url'),
    username: harbor.getString('username'),
    password: harbor.getString('password'),
  });
}

/**
 * `slipway:harbor:retention:ensure`: creates or updates a Harbor project's
 * tag retention policy in the shape Slipway's retention task maintains
 * (keep the last N pushed, always keep the protected tags), once per
 * project: a second run updates the same policy or leaves it alone.
 *
 * @public
 */
export function createHarborRetentionEnsureAction(
  options: {
    config?: Config;
    /** The client to call; default: one over `slipway.harbor`. */
    harbor?: HarborRetentionClient;
  } = {},
) {
  const harbor = options.harbor ?? readHarbor(options.config);
  const configuredKeep = options.config?.getOptionalNumber(
    'slipway.retention.keepLastPushed',
  );
  return createTemplateAction({
    id: 'slipway:harbor:retention:ensure',
    description: `Creates or updates the tag retention policy of a Harbor project (one policy per project, bound through its retention_id) with Slipway's two rules: latestPushedK keeps the last keepLastPushed pushed tagged artifacts of every repository, and always keeps the protected tags that Slipway's retention task maintains (docs/retention.md). On a new policy the protected rule keeps nothing yet (pattern ${NO_PROTECTED_TAGS_PATTERN}, which no tag can equal); an existing protected rule is kept as the task wrote it, rules that are not Slipway's are kept, the trigger is kept unless schedule is given, and nothing is written when the policy already holds these rules. Every read happens before the one write. Credentials come from slipway.harbor (the account must be allowed to change the project's tag retention) and never appear in a log or an error; Harbor's refusals fail with typed errors.`,
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        project: z =>
          z
            .string()
            .describe(
              'Harbor project (the first path segment of the image repository), e.g. acme',
            ),
        keepLastPushed: z =>
          z
            .number()
            .int()
            .optional()
            .describe(
              `Tagged artifacts kept per repository, at least 1. Default: slipway.retention.keepLastPushed, else ${DEFAULT_KEEP_LAST_PUSHED}`,
            ),
        schedule: z =>
          z
            .string()
            .optional()
            .describe(
              "Harbor cron (six fields, seconds first, e.g. '0 0 4 * * *'), or '' for none. Default: an existing policy keeps its schedule, a new one has none (it runs when an admin sets one)",
            ),
      },
      output: {
        project: z => z.string().describe('The Harbor project'),
        retentionId: z =>
          z
            .number()
            .optional()
            .describe("The project's retention policy id (not in a dry run)"),
        policy: z =>
          z
            .enum(['created', 'updated', 'unchanged'])
            .optional()
            .describe('What was done to the policy (not in a dry run)'),
        keepLastPushed: z =>
          z.number().describe('Tagged artifacts kept per repository'),
      },
    },
    async handler(ctx) {
      const project = ctx.input.project.trim();
      if (project.length > 255 || !PROJECT_NAME.test(project)) {
        throw new InputError(
          `${JSON.stringify(
            project.slice(0, 100),
          )} is not a Harbor project name (lower case letters, digits and . _ - between them)`,
        );
      }
      const keepLastPushed =
        ctx.input.keepLastPushed ?? configuredKeep ?? DEFAULT_KEEP_LAST_PUSHED;
      if (!Number.isInteger(keepLastPushed) || keepLastPushed < 1) {
        // Nothing is protected yet at scaffolding: keeping none of the last
        // pushed would let a run delete every unprotected image.
        throw new InputError(
          `keepLastPushed must be a whole number of at least 1, not ${keepLastPushed}`,
        );
      }
      const schedule = ctx.input.schedule?.trim();
      if (schedule && !HARBOR_CRON.test(schedule)) {
        throw new InputError(
          `schedule must be a Harbor cron with six fields (seconds first), e.g. '0 0 4 * * *'`,
        );
      }
      ctx.output('project', project);
      ctx.output('keepLastPushed', keepLastPushed);
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would ensure the tag retention policy of Harbor project ${project} (keep the last ${keepLastPushed} pushed, and the protected tags)`,
        );
        return;
      }
      if (!harbor) {
        throw new InputError(
          'slipway.harbor is not configured: the Harbor retention step needs its url, username and password',
        );
      }

      const result = await ctx.checkpoint({
        key: `slipway-harbor-retention-${project}`,
        fn: async () => {
          try {
            return await ensurePolicy(harbor, project, keepLastPushed, {
              schedule,
            });
          } catch (error) {
            throw typedError(error, project);
          }
        },
      });
      ctx.logger.info(
        `Harbor project ${project}: tag retention policy ${result.retentionId} ${result.policy} (keep the last ${keepLastPushed} pushed, ${result.protectedTags} protected tags, ${result.otherRules} other rules kept)`,
      );
      ctx.output('retentionId', result.retentionId);
      ctx.output('policy', result.policy);
    },
  });
}

/** Reads the project and its policy, then writes once (or not at all). */
async function ensurePolicy(
  harbor: HarborRetentionClient,
  project: string,
  keepLastPushed: number,
  options: { schedule?: string },
): Promise<{
  retentionId: number;
  policy: Outcome;
  protectedTags: number;
  otherRules: number;
}> {
  const found = await harbor.getProject(project);
  if (!found) {
    throw new NotFoundError(
      `Harbor has no project ${project}: create it first (Slipway does not create Harbor projects)`,
    );
  }
  const existing = found.retentionId
    ? await harbor.getPolicy(found.retentionId)
    : undefined;
  const plan = (current: HarborRetentionPolicy | undefined) => {
    const rules = scaffoldedRules(current, keepLastPushed);
    const policy = desiredPolicy(current, found.id, rules, options);
    if (policy.rules.length > MAX_HARBOR_RULES) {
      throw new ConflictError(
        `The retention policy of Harbor project ${project} would hold ${policy.rules.length} rules; Harbor allows ${MAX_HARBOR_RULES}`,
      );
    }
    const protectedPattern = rules[1].tag_selectors[0]?.pattern ?? '';
    return {
      policy,
      protectedTags:
        protectedPattern === NO_PROTECTED_TAGS_PATTERN
          ? 0
          : protectedPattern.split(',').length,
      otherRules: policy.rules.length - rules.length,
    };
  };
  const update = async (
    retentionId: number,
    current: HarborRetentionPolicy,
  ) => {
    const { policy, ...counts } = plan(current);
    if (!policyChanged(current, policy)) {
      return { retentionId, policy: 'unchanged' as Outcome, ...counts };
    }
    await harbor.updatePolicy(retentionId, policy);
    return { retentionId, policy: 'updated' as Outcome, ...counts };
  };

  if (found.retentionId && existing) {
    return update(found.retentionId, existing);
  }
  const { policy, ...counts } = plan(undefined);
  try {
    const id =
      (await harbor.createPolicy(policy)) ??
      (await harbor.getProject(project))?.retentionId;
    if (!id) {
      throw new ServiceUnavailableError(
        `Harbor created a retention policy for ${project} but did not say which`,
      );
    }
    return { retentionId: id, policy: 'created', ...counts };
  } catch (error) {
    // Another run bound a policy in between: update that one instead of
    // failing or adding a second.
    if (error instanceof UpstreamError && error.status === 400) {
      const again = await harbor.getProject(project);
      if (again?.retentionId) {
        return update(
          again.retentionId,
          await harbor.getPolicy(again.retentionId),
        );
      }
    }
    throw error;
  }
}
