import { CommitStatus } from '@slipway/plugin-slipway-common';
import { CiProvider, UpstreamError } from '@slipway/plugin-slipway-node';
import { readVerificationStatuses, sourceCommitOf } from './gateFacts';

const SHA = 'a'.repeat(40);
const STATUS: CommitStatus = {
  context: 'slipway/verify/staging/smoke',
  state: 'success',
  description: `smoke passed for sha256:${'d'.repeat(64)}`,
};

function ciProvider(
  listCommitStatuses?: CiProvider['listCommitStatuses'],
  provider = 'github',
): CiProvider {
  return {
    id: `${provider}-ci`,
    kind: 'ci',
    supports: ci => ci.provider === provider,
    listRuns: async () => [],
    ...(listCommitStatuses ? { listCommitStatuses } : {}),
  };
}

const config = {
  ci: { provider: 'github' as const, projectSlug: 'acme/app' },
};

describe('readVerificationStatuses (verification gates)', () => {
  it('reads the source commit’s statuses through the entity’s CI provider', async () => {
    const calls: unknown[] = [];
    const read = await readVerificationStatuses({
      ci: [
        ciProvider(async () => {
          throw new Error('not this one');
        }, 'gitlab'),
        ciProvider(async (request, context) => {
          calls.push(request);
          expect(context.signal.aborted).toBe(false);
          return [STATUS];
        }),
      ],
      config,
      commit: SHA,
      timeoutMs: 1000,
    });
    expect(read).toEqual({ status: 'ok', statuses: [STATUS] });
    expect(calls).toEqual([{ projectSlug: 'acme/app', commit: SHA }]);
  });

  it('is unconfigured without a CI annotation, a provider or a status reader', async () => {
    const reader = ciProvider(async () => [STATUS]);
    for (const options of [
      { ci: [reader], config: {} },
      { ci: [], config },
      { ci: [ciProvider()], config },
      { ci: [ciProvider(async () => [STATUS], 'gitlab')], config },
    ]) {
      expect(
        await readVerificationStatuses({
          ...options,
          commit: SHA,
          timeoutMs: 1000,
        }),
      ).toEqual({ status: 'unconfigured' });
    }
  });

  it('reads nothing for an artifact without a commit', async () => {
    const read = await readVerificationStatuses({
      ci: [
        ciProvider(async () => {
          throw new Error('must not be called');
        }),
      ],
      config,
      commit: undefined,
      timeoutMs: 1000,
    });
    expect(read).toEqual({ status: 'ok', statuses: [] });
  });

  it('a failed read is error, a rate limit rate-limited: never a stale answer', async () => {
    const failing = (error: Error) =>
      readVerificationStatuses({
        ci: [
          ciProvider(async () => {
            throw error;
          }),
        ],
        config,
        commit: SHA,
        timeoutMs: 1000,
      });
    expect(
      await failing(new UpstreamError('GitHub answered HTTP 502')),
    ).toEqual({ status: 'error' });
    expect(await failing(new Error('boom'))).toEqual({ status: 'error' });
    expect(
      await failing(
        new UpstreamError('GitHub rate limit reached', {
          kind: 'rate-limited',
          retryAt: Date.now() + 1000,
        }),
      ),
    ).toEqual({ status: 'rate-limited' });
  });

  it('the source commit is the recorded one, else the tag', () => {
    const image = { repository: 'r', digest: 'sha256:x', tag: SHA };
    expect(sourceCommitOf({ image, sourceCommit: 'b'.repeat(40) })).toBe(
      'b'.repeat(40),
    );
    expect(sourceCommitOf({ image })).toBe(SHA);
    expect(sourceCommitOf({ image: { repository: 'r' } })).toBeUndefined();
  });
});
