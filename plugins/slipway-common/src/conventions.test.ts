import { InputError } from '@backstage/errors';
import {
  APP_LABEL,
  applicationName,
  appSelector,
  assertDigest,
  assertDnsLabel,
  assertImageRepository,
  assertOciTag,
  basePath,
  defaultGitopsPath,
  ENVIRONMENT_LABEL,
  isDigest,
  isDnsLabel,
  isFullGitSha,
  isImageRepository,
  normalizeRepoPath,
  overlayPath,
  PROMOTION_TRAILER,
  SCAFFOLDER_TASK_TRAILER,
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

describe('conventions: boundaries and rejected inputs (mutation-tested)', () => {
  const sha = '0123456789abcdef0123456789abcdef01234567';

  it('pins the labels and trailers other systems read back', () => {
    // Templates, the sandbox and existing GitOps history carry these values.
    expect(APP_LABEL).toBe('slipway.dev/app');
    expect(ENVIRONMENT_LABEL).toBe('slipway.dev/environment');
    expect(PROMOTION_TRAILER).toBe('Slipway-Promotion');
    expect(SCAFFOLDER_TASK_TRAILER).toBe('Slipway-Scaffolder-Task');
  });

  it('accepts a one-character DNS label and 63 characters, not 64', () => {
    expect(isDnsLabel('a')).toBe(true);
    expect(isDnsLabel('a'.repeat(63))).toBe(true);
    expect(isDnsLabel('a'.repeat(64))).toBe(false);
  });

  it('anchors the digest: no prefix, no suffix', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(isDigest(digest)).toBe(true);
    expect(isDigest(`x${digest}`)).toBe(false);
    expect(isDigest(`${digest}0`)).toBe(false);
  });

  it('accepts only a full, lower-case, 40 character git SHA', () => {
    expect(isFullGitSha(sha)).toBe(true);
    for (const bad of [
      `x${sha}`,
      `${sha}0`,
      sha.slice(0, 39),
      'a',
      'g'.repeat(40),
      sha.toUpperCase(),
      '',
    ]) {
      expect(isFullGitSha(bad)).toBe(false);
    }
  });

  describe('image repositories', () => {
    it.each([
      ['a single path component', 'nginx'],
      ['a dashed single component', 'payments-api'],
      ['repeated dashes in the first component', 'acme--corp/svc'],
      ['repeated dashes in a later component', 'acme/payments--api'],
      ['repeated dashes in a third component', 'acme/team/payments--api'],
      ['a registry host with a port', 'registry.example.com:5000/acme/svc'],
      ['a dashed registry host', 'my-registry.example.com/acme/svc'],
      ['255 characters', 'a'.repeat(255)],
    ])('accepts %s', (_, value) => {
      expect(isImageRepository(value)).toBe(true);
      expect(assertImageRepository(value)).toBe(value);
    });

    it.each([
      ['256 characters', 'a'.repeat(256)],
      ['a tag', 'acme/svc:1.0'],
      ['a digest', `acme/svc@sha256:${'a'.repeat(64)}`],
      ['upper case', 'Acme/svc'],
      ['a trailing slash', 'acme/svc/'],
      ['a leading separator', '-acme/svc'],
      ['a scheme', 'https://ghcr.io/acme/svc'],
      ['whitespace', 'acme/ svc'],
      ['nothing', ''],
    ])('refuses %s', (_, value) => {
      expect(isImageRepository(value)).toBe(false);
      expect(() => assertImageRepository(value)).toThrow(
        /Invalid image repository .*must be \[registry\/\]path in lower case, without tag or digest/,
      );
    });
  });

  it('names the field and the rule in every refusal', () => {
    expect(() => assertDnsLabel('Bad')).toThrow(
      'Invalid name "Bad": must be a DNS-1123 label (lower case letters, digits and "-", at most 63 characters)',
    );
    expect(() => assertDnsLabel('Bad', 'team')).toThrow(/^Invalid team "Bad"/);
    expect(() => assertOciTag('-x')).toThrow(
      'Invalid image tag "-x": must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}',
    );
    expect(() => assertDigest('sha256:x')).toThrow(
      'Invalid digest "sha256:x": must be sha256:<64 hex>',
    );
  });

  it('keeps an attacker-sized value out of the error message', () => {
    const huge = `A${'b'.repeat(10_000)}`;
    let message = '';
    try {
      assertDnsLabel(huge, 'app name');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(JSON.stringify(huge.slice(0, 80)));
    expect(message).not.toContain(huge.slice(0, 81));
    expect(message.length).toBeLessThan(300);
  });

  it.each([
    ['%', 'Invalid path: malformed percent-encoding'],
    ['a\u0000b', 'Invalid path: control characters or backslashes'],
    ['a\\b', 'Invalid path: control characters or backslashes'],
    ['a\u2028b', 'Invalid path: control characters or backslashes'],
    ['a\u007fb', 'Invalid path: control characters or backslashes'],
    ['/etc', 'Invalid path: must be relative'],
    ['%2Fetc', 'Invalid path: must be relative'],
    ['a/../b', 'Invalid path: must not contain ".."'],
    ['./', 'Invalid path: must not be empty'],
  ])('normalizeRepoPath refuses %j with the reason', (value, reason) => {
    expect(() => normalizeRepoPath(value)).toThrow(reason);
  });

  it('accepts path segments that merely contain dots', () => {
    expect(normalizeRepoPath('apps/..x/x../...')).toBe('apps/..x/x../...');
  });

  it('says which argument of a folder or name helper is wrong', () => {
    expect(() => overlayPath('../x', 'dev')).toThrow(/^Invalid GitOps path:/);
    expect(() => overlayPath('apps/x', 'Prod')).toThrow(
      /^Invalid environment "Prod"/,
    );
    expect(basePath('apps//payments-api/')).toBe('apps/payments-api/base');
    expect(() => basePath('/apps')).toThrow(/^Invalid GitOps path:/);
    expect(() => applicationName('Payments', 'dev')).toThrow(
      /^Invalid app name "Payments"/,
    );
    expect(() => applicationName('payments', 'Dev')).toThrow(
      /^Invalid environment "Dev"/,
    );
    expect(() => appSelector('Payments')).toThrow(/^Invalid app name/);
    expect(defaultGitopsPath('payments-api')).toBe('apps/payments-api');
    expect(() => defaultGitopsPath('Payments')).toThrow(/^Invalid app name/);
  });
});
