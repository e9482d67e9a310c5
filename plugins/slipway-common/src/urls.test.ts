import fc from 'fast-check';
import { normalizeHttpUrl } from './urls';

describe('normalizeHttpUrl (THREATS 35)', () => {
  it.each([
    [
      'https://Git.Example.COM/acme/gitops.git',
      'https://git.example.com/acme/gitops.git',
    ],
    [
      'https://git.example.com:443/acme/gitops.git',
      'https://git.example.com/acme/gitops.git',
    ],
    [
      'http://git.example.com:80/acme/gitops',
      'http://git.example.com/acme/gitops',
    ],
    [
      'http://git.example.com:8080/acme/gitops/',
      'http://git.example.com:8080/acme/gitops',
    ],
    ['https://kubernetes.default.svc', 'https://kubernetes.default.svc'],
    ['https://kubernetes.default.svc/', 'https://kubernetes.default.svc'],
    [
      'http://127.0.0.1:7101/git/acme/gitops.git',
      'http://127.0.0.1:7101/git/acme/gitops.git',
    ],
  ])('normalises %s to %s', (input, expected) => {
    expect(normalizeHttpUrl(input)).toBe(expected);
  });

  it.each([
    ['dot-dot segments', 'http://git.example.com/git/../../etc'],
    [
      'dot-dot inside an allowed prefix',
      'http://git.example.com/git/acme/../../other/repo.git',
    ],
    ['a dot segment', 'http://git.example.com/git/./acme/repo.git'],
    ['a trailing dot-dot', 'http://git.example.com/git/acme/..'],
    [
      'percent-encoded dot-dot',
      'http://git.example.com/git/%2e%2e/other/repo.git',
    ],
    [
      'mixed-case percent-encoded dot-dot',
      'http://git.example.com/git/%2E%2e/other',
    ],
    ['half-encoded dot-dot', 'http://git.example.com/git/.%2e/other'],
    ['an encoded slash', 'http://git.example.com/git/acme%2F..%2Fother'],
    ['an encoded backslash', 'http://git.example.com/git/acme%5c..%5cother'],
    ['a backslash', 'http://git.example.com/git\\..\\other'],
    [
      'user info (a token as username)',
      'https://ghp_secret@git.example.com/acme/gitops.git',
    ],
    ['user and password', 'https://x:y@git.example.com/acme/gitops.git'],
    ['a query', 'https://git.example.com/acme/gitops.git?ref=main'],
    ['a fragment', 'https://git.example.com/acme/gitops.git#main'],
    ['whitespace', 'https://git.example.com/acme/ gitops.git'],
    ['a newline', 'https://git.example.com/acme/gitops.git\n'],
    ['an encoded NUL', 'https://git.example.com/acme/%00gitops.git'],
    ['another scheme', 'file:///etc/passwd'],
    ['ssh (not http)', 'ssh://git@git.example.com/acme/gitops.git'],
    ['not a URL', 'git.example.com/acme/gitops.git'],
    ['malformed percent-encoding', 'https://git.example.com/acme/%zz'],
  ])('refuses %s', (_what, input) => {
    expect(() => normalizeHttpUrl(input)).toThrow(/Invalid URL/);
  });

  it('property: a normalised URL normalises to itself, and never contains dot segments or user info', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/);
    fc.assert(
      fc.property(
        fc.constantFrom('http', 'https'),
        fc.stringMatching(
          /^[A-Za-z][A-Za-z0-9]{0,10}(\.[A-Za-z][A-Za-z0-9]{0,9}){0,2}$/,
        ),
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        fc.array(segment, { maxLength: 5 }),
        fc.boolean(),
        (scheme, host, port, segments, slash) => {
          const input = `${scheme}://${host}${
            port ? `:${port}` : ''
          }/${segments.join('/')}${slash ? '/' : ''}`;
          let normalised: string;
          try {
            normalised = normalizeHttpUrl(input);
          } catch {
            // Only dot segments may be refused among these inputs.
            return segments.some(s => s === '.' || s === '..');
          }
          const path = new URL(normalised).pathname;
          return (
            normalizeHttpUrl(normalised) === normalised &&
            !/(^|\/)\.{1,2}(\/|$)/.test(path) &&
            !normalised.includes('@') &&
            normalised.startsWith(
              `${scheme}://${host.toLowerCase()}${
                port && port !== (scheme === 'https' ? 443 : 80)
                  ? `:${port}`
                  : ''
              }`,
            )
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each([
    [
      'a tab the URL parser would drop',
      'https://git.example.com/acme/\tgitops.git',
    ],
    ['a newline inside the host', 'https://git.exa\nmple.com/acme/gitops.git'],
    [
      'a password without a user',
      'https://:secret@git.example.com/acme/gitops.git',
    ],
    ['an empty user info', 'https://@git.example.com/acme/gitops.git'],
    [
      'a user without a password',
      'https://token@git.example.com/acme/gitops.git',
    ],
  ])('refuses %s (checked on the raw text, before parsing)', (_what, input) => {
    expect(() => normalizeHttpUrl(input)).toThrow(/Invalid URL/);
  });

  it('refuses URLs over 2048 characters and accepts one at the limit', () => {
    const base = 'https://git.example.com/';
    const at = `${base}${'a'.repeat(2048 - base.length)}`;
    expect(normalizeHttpUrl(at)).toBe(at);
    expect(() => normalizeHttpUrl(`${at}a`)).toThrow(/Invalid URL/);
  });

  it('names what it checks in the message', () => {
    expect(() =>
      normalizeHttpUrl('https://x@git.example.com/a', 'GitOps repository URL'),
    ).toThrow('Invalid GitOps repository URL: must not carry credentials');
  });

  it('answers a URL it has seen with the same normal form, and refuses a refused one again with the new name', () => {
    for (let i = 0; i < 300; i++) {
      // More distinct URLs than it remembers: each still normalised.
      expect(normalizeHttpUrl(`https://Git.Example.com/acme/repo-${i}/`)).toBe(
        `https://git.example.com/acme/repo-${i}`,
      );
    }
    expect(normalizeHttpUrl('https://Git.Example.com/acme/repo-0/')).toBe(
      'https://git.example.com/acme/repo-0',
    );
    expect(normalizeHttpUrl('https://Git.Example.com/acme/repo-299/')).toBe(
      'https://git.example.com/acme/repo-299',
    );
    expect(() => normalizeHttpUrl('https://x@git.example.com/a', 'A')).toThrow(
      'Invalid A: must not carry credentials',
    );
    expect(() => normalizeHttpUrl('https://x@git.example.com/a', 'B')).toThrow(
      'Invalid B: must not carry credentials',
    );
  });
});
