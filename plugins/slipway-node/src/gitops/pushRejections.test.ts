import { ConflictError, NotAllowedError } from '@backstage/errors';
import fixtures from './__fixtures__/push-rejections.json';
import {
  classifyPushRejection,
  GitOpsWriteConflictError,
  GitOpsWriteNotAllowedError,
  pushRejectionError,
  rejectionText,
} from './pushRejections';

describe('THREATS 20: push rejections classified from recorded server texts', () => {
  it.each(fixtures.map(f => [f.source, f]))('%s', (_source, fixture) => {
    expect(classifyPushRejection(fixture.text)).toEqual({
      reason: fixture.reason,
      retryable: fixture.retryable,
    });
  });

  it('only a branch that moved is retryable', () => {
    const retryable = fixtures.filter(f => f.retryable).map(f => f.reason);
    expect(new Set(retryable)).toEqual(
      new Set(['non-fast-forward', 'ref-moved']),
    );
  });

  it('reads isomorphic-git errors: codes, HTTP status and per-ref results', () => {
    expect(
      classifyPushRejection(
        rejectionText({
          code: 'PushRejectedError',
          message: 'Push rejected.',
          data: { reason: 'not-fast-forward' },
        }),
      ).reason,
    ).toBe('non-fast-forward');
    expect(
      classifyPushRejection(
        rejectionText({
          code: 'HttpError',
          message: 'HTTP Error',
          data: { statusCode: 403 },
        }),
      ).reason,
    ).toBe('auth');
    expect(
      classifyPushRejection(
        rejectionText(
          {
            code: 'GitPushError',
            message: 'One or more branches were not updated',
            data: {
              result: {
                refs: {
                  'refs/heads/main': {
                    ok: false,
                    error: 'incorrect old value provided',
                  },
                  'refs/heads/other': { ok: true },
                },
              },
            },
          },
          ['progress line'],
        ),
      ).reason,
    ).toBe('ref-moved');
    expect(rejectionText(undefined, ['a', 'b'])).toBe('a\nb');
  });

  it('turns each reason into a typed error that keeps its HTTP meaning', () => {
    const protectedBranch = pushRejectionError(
      { reason: 'protected-branch', retryable: false },
      'main',
      1,
    );
    expect(protectedBranch).toBeInstanceOf(GitOpsWriteNotAllowedError);
    expect(protectedBranch).toBeInstanceOf(NotAllowedError);
    expect(protectedBranch.name).toBe('NotAllowedError');
    expect(protectedBranch.message).toMatch(/main is protected/);

    const auth = pushRejectionError(
      { reason: 'auth', retryable: false },
      'main',
      1,
    );
    expect(auth).toMatchObject({ name: 'NotAllowedError', reason: 'auth' });

    const moved = pushRejectionError(
      { reason: 'ref-moved', retryable: true },
      'main',
      3,
      'line one\n\n  line two  \n',
    );
    expect(moved).toBeInstanceOf(GitOpsWriteConflictError);
    expect(moved).toBeInstanceOf(ConflictError);
    expect(moved).toMatchObject({ name: 'ConflictError', reason: 'ref-moved' });
    expect(moved.message).toBe(
      'Branch main kept moving; gave up after 3 attempts (line one; line two)',
    );
    expect(
      pushRejectionError(
        { reason: 'ref-name-conflict', retryable: false },
        'a/b',
        1,
      ).message,
    ).toMatch(/collides/);
    expect(
      pushRejectionError(
        { reason: 'rejected', retryable: false },
        'main',
        1,
        'x'.repeat(400),
      ).message.length,
    ).toBeLessThan(400);
  });
});
