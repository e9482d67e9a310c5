import {
  assertDnsSubdomain,
  assertHttpPath,
  assertIntegerInRange,
  assertQuantity,
  assertRepositoryUrl,
  matchesGlob,
} from './validation';

describe('matchesGlob', () => {
  it.each([
    ['*', 'anything', true],
    ['payments-*', 'payments-api-dev', true],
    ['payments-*', 'billing-dev', false],
    ['https://github.com/acme/*', 'https://github.com/acme/gitops.git', true],
    ['https://github.com/acme/*', 'https://github.com/evil/gitops.git', false],
    ['*-dev', 'payments-dev', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbY', false],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
  ])('%s matches %s: %s', (pattern, value, expected) => {
    expect(matchesGlob(pattern, value)).toBe(expected);
  });

  it('stays fast on patterns that make backtracking regexes explode', () => {
    const pattern = `${'a*'.repeat(50)}b`;
    const value = 'a'.repeat(5000);
    const start = Date.now();
    expect(matchesGlob(pattern, value)).toBe(false);
    expect(Date.now() - start).toBeLessThan(1000);
  });
});

describe('validators', () => {
  it('accept good values', () => {
    expect(assertDnsSubdomain('apps.example.com', 'domain')).toBe(
      'apps.example.com',
    );
    expect(assertQuantity('500m', 'cpu')).toBe('500m');
    expect(assertQuantity('1Gi', 'memory')).toBe('1Gi');
    expect(assertHttpPath('/healthz', 'path')).toBe('/healthz');
    expect(
      assertRepositoryUrl('https://github.com/acme/gitops.git'),
    ).toBeTruthy();
  });

  it.each([
    () => assertDnsSubdomain('Apps.example.com', 'domain'),
    () => assertDnsSubdomain('a..b', 'domain'),
    () => assertQuantity('1 Gi', 'memory'),
    () => assertQuantity('1Gi\n', 'memory'),
    () => assertHttpPath('/a b', 'path'),
    () => assertRepositoryUrl('https://user:token@github.com/acme/gitops.git'),
    () => assertRepositoryUrl('file:///etc/passwd'),
    () => assertRepositoryUrl('https://github.com/acme/gitops.git\nfoo'),
  ])('reject bad value %#', check => {
    expect(check).toThrow(/Invalid/);
  });
});

describe('matchesGlob: the allowlist cannot be widened by a broken star', () => {
  it.each([
    // No star: a value with extra leading characters before the allowed
    // prefix must not slip through by skipping its head.
    ['payments-*', 'evil-payments-api', false],
    ['https://github.com/acme/*', 'xhttps://github.com/acme/gitops.git', false],
    ['exact', 'xexact', false],
    // A star is only a wildcard in the pattern; in the value it is literal.
    ['a*', 'a*x', true],
    ['a*b', 'a*b', true],
    // Backtracking after a partial match.
    ['a*b', 'aab', true],
    ['a*b', 'abab', true],
    ['a*b', 'abac', false],
    ['*a*', 'bbb', false],
    // Trailing stars match the empty rest.
    ['a*', 'a', true],
    ['a**', 'a', true],
    ['*', '', true],
    ['**', '', true],
    ['', '', true],
    ['', 'a', false],
    ['a', '', false],
    ['a*b', 'a', false],
  ])('%j matches %j: %s', (pattern, value, expected) => {
    expect(matchesGlob(pattern, value)).toBe(expected);
  });
});

describe('assertIntegerInRange: ports, replicas and limits stay in range', () => {
  it('accepts both ends of the range', () => {
    expect(assertIntegerInRange(1, 1, 65535, 'port')).toBe(1);
    expect(assertIntegerInRange(65535, 1, 65535, 'port')).toBe(65535);
    expect(assertIntegerInRange(8080, 1, 65535, 'port')).toBe(8080);
  });

  it.each([0, 65536, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects %p with the range in the message',
    value => {
      expect(() => assertIntegerInRange(value, 1, 65535, 'port')).toThrow(
        `Invalid port ${value}: must be an integer from 1 to 65535`,
      );
    },
  );
});

describe('assertRepositoryUrl: no credentials, no surprises', () => {
  it.each([
    'https://github.com/acme/gitops.git',
    'http://127.0.0.1:7102/acme/gitops.git',
    'ssh://git@github.com/acme/gitops.git',
    'ssh://github.com/acme/gitops.git',
  ])('accepts %s', value => {
    expect(assertRepositoryUrl(value)).toBe(value);
  });

  it.each([
    [
      'a token as the username',
      'https://ghp_0123456789abcdef@github.com/acme/gitops.git',
      'Invalid repository URL: must not carry credentials',
    ],
    [
      'a token as the username over http',
      'http://glpat-secret@gitlab.example.com/acme/gitops.git',
      'Invalid repository URL: must not carry credentials',
    ],
    [
      'a password over ssh',
      'ssh://git:secret@github.com/acme/gitops.git',
      'Invalid repository URL: must not carry credentials',
    ],
    [
      'something that is not a URL',
      'github.com/acme/gitops.git',
      'Invalid repository URL: not a URL',
    ],
    [
      'another scheme',
      'git://github.com/acme/gitops.git',
      'Invalid repository URL: must be an http(s) or ssh URL',
    ],
    [
      'a space',
      'https://github.com/acme/git ops.git',
      'Invalid repository URL: whitespace or control characters',
    ],
  ])('rejects %s', (_, value, message) => {
    expect(() => assertRepositoryUrl(value)).toThrow(message);
  });

  it('names the field it checks', () => {
    expect(() => assertRepositoryUrl('nope', 'GitOps repository')).toThrow(
      'Invalid GitOps repository: not a URL',
    );
  });
});

describe('name, quantity and path validators: boundaries', () => {
  it('accepts one-character labels and a 253 character subdomain, not 254', () => {
    expect(assertDnsSubdomain('a.b.c', 'domain')).toBe('a.b.c');
    const label = 'a'.repeat(63);
    const longest = [label, label, label, 'a'.repeat(61)].join('.');
    expect(longest).toHaveLength(253);
    expect(assertDnsSubdomain(longest, 'domain')).toBe(longest);
    expect(() => assertDnsSubdomain(`a${longest}`, 'domain')).toThrow(
      /must be a DNS-1123 subdomain/,
    );
  });

  it.each(['1', '250', '0.25', '1.5Gi', '512Mi', '100m'])(
    'accepts the quantity %s',
    value => {
      expect(assertQuantity(value, 'memory')).toBe(value);
    },
  );

  it.each(['-1', 'x1', '1.', '.5', '1.5.5', '1Pi', '1 Gi'])(
    'rejects the quantity %j',
    value => {
      expect(() => assertQuantity(value, 'memory')).toThrow(
        /must be a quantity like 200m/,
      );
    },
  );

  it('accepts an absolute path of 201 characters, not 202, and nothing relative', () => {
    const longest = `/${'a'.repeat(200)}`;
    expect(assertHttpPath(longest, 'path')).toBe(longest);
    expect(() => assertHttpPath(`${longest}a`, 'path')).toThrow(
      /must be an absolute path/,
    );
    expect(() => assertHttpPath('x/healthz', 'path')).toThrow(
      /must be an absolute path/,
    );
  });

  it('keeps an attacker-sized value out of the error message', () => {
    const huge = `!${'x'.repeat(10_000)}`;
    for (const check of [
      () => assertDnsSubdomain(huge, 'domain'),
      () => assertQuantity(huge, 'memory'),
      () => assertHttpPath(huge, 'path'),
    ]) {
      let message = '';
      try {
        check();
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/^Invalid /);
      expect(message.length).toBeLessThan(200);
    }
  });
});

describe('assertRepositoryUrl on ssh URLs (THREATS 35)', () => {
  it.each([
    'ssh://git@git.example.com/acme/../other/repo.git',
    'ssh://git@git.example.com/acme/./repo.git',
    'ssh://git@git.example.com/acme/%2e%2e/other/repo.git',
    'ssh://git@git.example.com/acme/%2E%2E/other/repo.git',
  ])('refuses dot segments in %s, which the URL parser would hide', url => {
    expect(() => assertRepositoryUrl(url)).toThrow(/"\." or "\.\." segments/);
  });

  it('keeps a plain ssh URL unchanged', () => {
    expect(assertRepositoryUrl('ssh://git@git.example.com/acme/repo.git')).toBe(
      'ssh://git@git.example.com/acme/repo.git',
    );
  });
});
