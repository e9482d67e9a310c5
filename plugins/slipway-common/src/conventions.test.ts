import { InputError } from '@backstage/errors';
import {
  applicationName,
  appSelector,
  assertDigest,
  assertDnsLabel,
  assertOciTag,
  isImageRepository,
  normalizeRepoPath,
  overlayPath,
} from './conventions';

describe('conventions', () => {
  it('names applications and selectors by the shared convention', () => {
    expect(applicationName('payments-api', 'prod')).toBe('payments-api-prod');
    expect(appSelector('payments-api')).toBe('slipway.dev/app=payments-api');
    expect(overlayPath('apps/payments-api/', 'dev')).toBe(
      'apps/payments-api/overlays/dev',
    );
  });

  it.each([
    'Payments',
    '-leading',
    'trailing-',
    'a'.repeat(64),
    'with space',
    'new\nline',
    'colon: value',
    'hash#tag',
    '---',
    'quote"d',
    'line\u2028separator',
    '${{ secrets.token }}',
    '',
  ])('refuses %j as a DNS-1123 name', value => {
    expect(() => assertDnsLabel(value)).toThrow(InputError);
  });

  it('accepts tags in the OCI grammar and refuses the rest', () => {
    expect(
      assertOciTag('0123456789abcdef0123456789abcdef01234567'),
    ).toBeTruthy();
    expect(assertOciTag('v1.2.3_rc-1')).toBe('v1.2.3_rc-1');
    for (const bad of ['.hidden', '-x', 'a'.repeat(129), 'a:b', 'a\nb', '']) {
      expect(() => assertOciTag(bad)).toThrow(InputError);
    }
  });

  it('accepts only sha256 digests with 64 lower-case hex digits', () => {
    expect(assertDigest(`sha256:${'a'.repeat(64)}`)).toBeTruthy();
    for (const bad of [
      `sha256:${'A'.repeat(64)}`,
      `sha512:${'a'.repeat(64)}`,
      `sha256:${'a'.repeat(63)}`,
      `sha256:${'a'.repeat(64)}\n`,
    ]) {
      expect(() => assertDigest(bad)).toThrow(InputError);
    }
  });

  it('recognises image repositories without tag or digest', () => {
    expect(isImageRepository('127.0.0.1:7103/acme/payments-api')).toBe(true);
    expect(isImageRepository('ghcr.io/acme/team/svc')).toBe(true);
    expect(isImageRepository('acme/svc:latest')).toBe(false);
    expect(isImageRepository('acme/svc@sha256:abc')).toBe(false);
    expect(isImageRepository('Acme/Svc')).toBe(false);
  });

  describe('normalizeRepoPath (THREATS 1)', () => {
    it('normalises harmless paths', () => {
      expect(normalizeRepoPath('apps//x/./y/')).toBe('apps/x/y');
    });

    it.each([
      '../etc',
      'apps/../../x',
      '/etc/passwd',
      '%2e%2e/x',
      'apps/%2E%2E/%2e%2e/x',
      'a\u0000b',
      'a\\..\\b',
      '%00',
      '%',
      '.',
      '',
    ])('refuses %j', value => {
      expect(() => normalizeRepoPath(value)).toThrow(InputError);
    });
  });
});
