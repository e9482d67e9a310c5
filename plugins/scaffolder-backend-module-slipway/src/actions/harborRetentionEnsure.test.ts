import { ConfigReader } from '@backstage/config';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  NO_PROTECTED_TAGS_PATTERN,
  protectedTagsRule,
  slipwayRuleMark,
  slipwayRules,
} from '@slipway/plugin-slipway-node';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { testContext } from '../__testUtils__/actionContext';
import { FAKE_HARBOR_PASSWORD, fakeHarbor } from '../__testUtils__/fakeHarbor';
import { createHarborRetentionEnsureAction } from './harborRetentionEnsure';

const SHA = (n: number) => String(n).repeat(40).slice(0, 40);

/** A rule that is not Slipway's: an admin's own. */
const FOREIGN = {
  disabled: false,
  action: 'retain',
  template: 'nDaysSinceLastPush',
  params: { nDaysSinceLastPush: 30 },
  tag_selectors: [
    {
      kind: 'doublestar',
      decoration: 'matches',
      pattern: 'release-*',
      extras: '{"untagged":false}',
    },
  ],
  scope_selectors: {
    repository: [
      { kind: 'doublestar', decoration: 'repoMatches', pattern: '**' },
    ],
  },
};

let tmp: string;
beforeEach(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'slipway-harbor-'));
});
afterEach(async () => {
  await fs.promises.rm(tmp, { recursive: true, force: true });
});

async function run(
  harbor: ReturnType<typeof fakeHarbor> | undefined,
  input: Record<string, unknown>,
  options: {
    config?: ConstructorParameters<typeof ConfigReader>[0];
    isDryRun?: boolean;
  } = {},
) {
  const context = testContext({
    input,
    workspacePath: tmp,
    scratchRoot: tmp,
    isDryRun: options.isDryRun,
  });
  const action = createHarborRetentionEnsureAction({
    config: new ConfigReader(options.config ?? {}),
    harbor: harbor?.client,
  });
  await action.handler(context.ctx);
  return context;
}

const templates = (policy: any) =>
  policy.rules.map((rule: any) => [
    rule.template,
    slipwayRuleMark(rule) ?? 'foreign',
  ]);

describe('slipway:harbor:retention:ensure', () => {
  it('creates the project policy with both of Slipway rules; the protected one keeps nothing yet', async () => {
    const harbor = fakeHarbor();
    const { outputs } = await run(harbor, { project: 'acme' });
    expect(outputs).toEqual({
      project: 'acme',
      keepLastPushed: 10,
      retentionId: 1,
      policy: 'created',
    });
    expect(harbor.writes()).toEqual(['POST /retentions']);
    const policy = harbor.policyOf('acme');
    expect(policy).toMatchObject({
      algorithm: 'or',
      scope: { level: 'project', ref: 7 },
      trigger: { kind: 'Schedule', settings: { cron: '' } },
    });
    expect(templates(policy)).toEqual([
      ['latestPushedK', 'keep-last-pushed'],
      ['always', 'protected'],
    ]);
    expect(policy.rules[0].params).toEqual({ latestPushedK: 10 });
    expect(policy.rules[0].tag_selectors[0]).toMatchObject({
      pattern: '**',
      decoration: 'matches',
    });
    // Neither empty (Harbor matches every tag with it) nor `{}`.
    expect(policy.rules[1].tag_selectors[0].pattern).toBe(
      NO_PROTECTED_TAGS_PATTERN,
    );
    for (const rule of policy.rules) {
      expect(JSON.parse(rule.tag_selectors[0].extras).untagged).toBe(false);
    }
  });

  it('is idempotent: a second run writes nothing, a changed count updates the same policy', async () => {
    const harbor = fakeHarbor();
    await run(harbor, { project: 'acme' });
    const again = await run(harbor, { project: 'acme' });
    expect(again.outputs).toMatchObject({
      retentionId: 1,
      policy: 'unchanged',
    });
    const changed = await run(harbor, { project: 'acme', keepLastPushed: 3 });
    expect(changed.outputs).toMatchObject({
      retentionId: 1,
      policy: 'updated',
    });
    expect(harbor.writes()).toEqual(['POST /retentions', 'PUT /retentions/1']);
    expect(harbor.policies.size).toBe(1);
    expect(harbor.policyOf('acme').rules[0].params).toEqual({
      latestPushedK: 3,
    });
  });

  it('takes the default count from slipway.retention.keepLastPushed', async () => {
    const harbor = fakeHarbor();
    const { outputs } = await run(
      harbor,
      { project: 'acme' },
      { config: { slipway: { retention: { keepLastPushed: 25 } } } },
    );
    expect(outputs.keepLastPushed).toBe(25);
    expect(harbor.policyOf('acme').rules[0].params).toEqual({
      latestPushedK: 25,
    });
  });

  it('never drops the tags the retention task protects, nor rules that are not its own, nor the schedule', async () => {
    const harbor = fakeHarbor();
    // As Slipway's task leaves it after a deployment, with an admin's rule and schedule.
    const [keep, protect] = slipwayRules({
      keepLastPushed: 10,
      protectedTags: [SHA(1), SHA(2)],
    });
    harbor.setPolicy('acme', {
      algorithm: 'or',
      rules: [FOREIGN, keep, protect],
      trigger: { kind: 'Schedule', settings: { cron: '0 0 3 * * *' } },
    });
    const unchanged = await run(harbor, { project: 'acme' });
    expect(unchanged.outputs.policy).toBe('unchanged');
    expect(harbor.writes()).toEqual([]);

    const updated = await run(harbor, { project: 'acme', keepLastPushed: 5 });
    expect(updated.outputs.policy).toBe('updated');
    const policy = harbor.policyOf('acme');
    expect(templates(policy)).toEqual([
      ['nDaysSinceLastPush', 'foreign'],
      ['latestPushedK', 'keep-last-pushed'],
      ['always', 'protected'],
    ]);
    expect(policy.rules[2].tag_selectors[0].pattern).toBe(
      `{${SHA(1)},${SHA(2)}}`,
    );
    expect(policy.trigger.settings.cron).toBe('0 0 3 * * *');
  });

  it('adds the protected rule to a policy that lacks it', async () => {
    const harbor = fakeHarbor();
    const [keep] = slipwayRules({ keepLastPushed: 10, protectedTags: [] });
    harbor.setPolicy('acme', {
      algorithm: 'or',
      rules: [keep],
      trigger: { kind: 'Schedule', settings: { cron: '' } },
    });
    const { outputs } = await run(harbor, { project: 'acme' });
    expect(outputs.policy).toBe('updated');
    expect(templates(harbor.policyOf('acme'))).toEqual([
      ['latestPushedK', 'keep-last-pushed'],
      ['always', 'protected'],
    ]);
    expect(harbor.policyOf('acme').rules[1].tag_selectors[0].pattern).toBe(
      protectedTagsRule([]).tag_selectors[0].pattern,
    );
  });

  it('sets the schedule when asked, on a new policy and an existing one', async () => {
    const harbor = fakeHarbor();
    await run(harbor, { project: 'acme', schedule: '0 0 4 * * *' });
    expect(harbor.policyOf('acme').trigger.settings.cron).toBe('0 0 4 * * *');
    const { outputs } = await run(harbor, {
      project: 'acme',
      schedule: '0 30 2 * * *',
    });
    expect(outputs.policy).toBe('updated');
    expect(harbor.policyOf('acme').trigger.settings.cron).toBe('0 30 2 * * *');
    await expect(
      run(harbor, { project: 'acme', schedule: '0 4 * * *' }),
    ).rejects.toThrow(InputError);
  });

  it('updates the policy another run bound in between instead of adding a second', async () => {
    const harbor = fakeHarbor();
    harbor.onNextCreate(() => {
      harbor.setPolicy('acme', {
        algorithm: 'or',
        rules: [FOREIGN],
        trigger: { kind: 'Schedule', settings: { cron: '' } },
      });
    });
    const { outputs } = await run(harbor, { project: 'acme' });
    expect(outputs).toMatchObject({ retentionId: 1, policy: 'updated' });
    expect(harbor.policies.size).toBe(1);
    expect(templates(harbor.policyOf('acme'))).toEqual([
      ['nDaysSinceLastPush', 'foreign'],
      ['latestPushedK', 'keep-last-pushed'],
      ['always', 'protected'],
    ]);
  });

  it.each([
    [
      'a missing project',
      undefined,
      { project: 'nobody' },
      NotFoundError,
      /no project nobody/,
    ],
    [
      'refused credentials',
      [/GET \/projects/, 401],
      { project: 'acme' },
      NotAllowedError,
      /HTTP 401/,
    ],
    [
      'an account that may not write retention',
      [/POST \/retentions/, 403],
      { project: 'acme' },
      NotAllowedError,
      /HTTP 403/,
    ],
    [
      'a refused policy',
      [/POST \/retentions/, 400],
      { project: 'acme' },
      InputError,
      /HTTP 400.*refused by the fake/,
    ],
    [
      'Harbor failing',
      [/GET \/projects/, 503],
      { project: 'acme' },
      ServiceUnavailableError,
      /HTTP 503/,
    ],
  ] as const)(
    '%s fails with a typed error and writes nothing',
    async (_what, failure, input, type, message) => {
      const harbor = fakeHarbor();
      if (failure) harbor.failOn(failure[0], failure[1]);
      const error = await run(harbor, input).catch(e => e);
      expect(error).toBeInstanceOf(type);
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain(FAKE_HARBOR_PASSWORD);
      expect(harbor.policies.size).toBe(0);
    },
  );

  it('fails on a policy that would exceed Harbor’s 15 rules, and writes nothing', async () => {
    const harbor = fakeHarbor();
    harbor.setPolicy('acme', {
      algorithm: 'or',
      rules: Array.from({ length: 14 }, () => FOREIGN),
      trigger: { kind: 'Schedule', settings: { cron: '' } },
    });
    await expect(run(harbor, { project: 'acme' })).rejects.toThrow(
      ConflictError,
    );
    expect(harbor.writes()).toEqual([]);
  });

  it('refuses bad inputs and a missing Harbor before calling anything', async () => {
    const harbor = fakeHarbor();
    await expect(run(harbor, { project: 'Acme/Team' })).rejects.toThrow(
      InputError,
    );
    await expect(
      run(harbor, { project: 'acme', keepLastPushed: 0 }),
    ).rejects.toThrow(/at least 1/);
    await expect(run(undefined, { project: 'acme' })).rejects.toThrow(
      /slipway.harbor is not configured/,
    );
    expect(harbor.calls).toEqual([]);
  });

  it('reads its Harbor from slipway.harbor', async () => {
    const action = createHarborRetentionEnsureAction({
      config: new ConfigReader({
        slipway: {
          harbor: {
            url: 'http://127.0.0.1:9',
            username: 'robot',
            password: FAKE_HARBOR_PASSWORD,
          },
        },
      }),
    });
    const context = testContext({
      input: { project: 'acme' },
      workspacePath: tmp,
      scratchRoot: tmp,
    });
    // Port 9 (discard) on loopback: refused, so Harbor is unreachable.
    const error = await action.handler(context.ctx).catch(e => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.message).toMatch(/Harbor is unreachable/);
    expect(JSON.stringify(context.logs)).not.toContain(FAKE_HARBOR_PASSWORD);
  });

  it('calls nothing in a dry run', async () => {
    const harbor = fakeHarbor();
    const { outputs, logs } = await run(
      harbor,
      { project: 'acme' },
      { isDryRun: true },
    );
    expect(outputs).toEqual({ project: 'acme', keepLastPushed: 10 });
    expect(harbor.calls).toEqual([]);
    expect(logs.join('\n')).toMatch(/Dry run/);
  });

  it('never logs the password', async () => {
    const harbor = fakeHarbor();
    const { logs } = await run(harbor, { project: 'acme' });
    expect(logs.join('\n')).toMatch(/policy 1 created/);
    expect(logs.join('\n')).not.toContain(FAKE_HARBOR_PASSWORD);
  });
});
