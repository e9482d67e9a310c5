import {
  assertDnsSubdomain,
  assertHttpPath,
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
