import {
  newestStatusOf,
  VERIFICATION_CHECK_PATTERN,
  verificationContext,
  verificationDigest,
} from './verification';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('verification statuses', () => {
  it('names the context slipway/verify/<environment>/<check>', () => {
    expect(verificationContext('staging', 'k6')).toBe(
      'slipway/verify/staging/k6',
    );
  });

  it('reads the digest from the description first, then the target URL', () => {
    expect(verificationDigest({ description: `smoke passed: ${DIGEST}` })).toBe(
      DIGEST,
    );
    expect(
      verificationDigest({
        description: `${DIGEST} then sha256:${'b'.repeat(64)}`,
      }),
    ).toBe(DIGEST);
    expect(
      verificationDigest({
        description: 'smoke passed',
        targetUrl: `https://ci.example.com/runs/1?digest=${DIGEST}`,
      }),
    ).toBe(DIGEST);
    expect(
      verificationDigest({
        description: `for ${DIGEST}`,
        targetUrl: `https://ci.example.com/runs/1?digest=sha256:${'c'.repeat(
          64,
        )}`,
      }),
    ).toBe(DIGEST);
  });

  it('names no digest for a short, long, upper-case or missing one, or a bad URL', () => {
    expect(
      verificationDigest({ description: `sha256:${'a'.repeat(63)}` }),
    ).toBeUndefined();
    expect(
      verificationDigest({ description: `sha256:${'a'.repeat(65)}` }),
    ).toBeUndefined();
    expect(
      verificationDigest({ description: `sha256:${'A'.repeat(64)}` }),
    ).toBeUndefined();
    expect(verificationDigest({})).toBeUndefined();
    expect(verificationDigest({ targetUrl: 'not a url' })).toBeUndefined();
    expect(
      verificationDigest({ targetUrl: 'https://ci.example.com/?digest=x' }),
    ).toBeUndefined();
    expect(
      verificationDigest({
        targetUrl: `https://ci.example.com/?digest=${DIGEST}x`,
      }),
    ).toBeUndefined();
    expect(
      verificationDigest({ targetUrl: 'https://ci.example.com/runs/1' }),
    ).toBeUndefined();
  });

  it('takes the first (newest) status of a context, case-insensitively', () => {
    const statuses = [
      { context: 'ci/build', state: 'success' as const },
      { context: 'Slipway/Verify/Staging/Smoke', state: 'pending' as const },
      { context: 'slipway/verify/staging/smoke', state: 'success' as const },
    ];
    expect(
      newestStatusOf(statuses, 'slipway/verify/staging/smoke')?.state,
    ).toBe('pending');
    expect(
      newestStatusOf(statuses, 'slipway/verify/prod/smoke'),
    ).toBeUndefined();
  });

  it('accepts check names that are safe identifiers only', () => {
    for (const name of ['smoke', 'k6', 'e2e_web', 'load-test', 'a'.repeat(63)])
      expect(VERIFICATION_CHECK_PATTERN.test(name)).toBe(true);
    for (const name of ['', 'Smoke', '6k', 'a/b', 'a b', 'a'.repeat(64), '-x'])
      expect(VERIFICATION_CHECK_PATTERN.test(name)).toBe(false);
  });
});
