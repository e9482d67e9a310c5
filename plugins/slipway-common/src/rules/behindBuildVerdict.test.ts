import fc from 'fast-check';
import { BuildRun } from '../state';
import { behindBuildVerdict, buildRunLabel } from './behindBuildVerdict';

const REPO = 'registry.example.com/acme/app';
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

function run(commit: string, overrides: Partial<BuildRun> = {}): BuildRun {
  return {
    id: commit.slice(0, 3),
    name: 'CI',
    number: 7,
    status: 'completed',
    conclusion: 'success',
    commit,
    branch: 'main',
    ...overrides,
  };
}

describe('buildRunLabel', () => {
  it.each([
    [run(A), 'CI #7'],
    [run(A, { name: undefined }), '#7'],
    [run(A, { number: undefined, name: 'ci #42' }), 'ci #42'],
    [run(A, { number: undefined }), 'CI (run aaa)'],
    [run(A, { number: undefined, name: undefined }), 'run aaa'],
  ])('%j is "%s"', (build, label) => {
    expect(buildRunLabel(build)).toBe(label);
  });
});

describe('behindBuildVerdict', () => {
  it('a never-promoted environment is behind a passed build', () => {
    expect(
      behindBuildVerdict(
        { environment: 'dev', image: { repository: REPO, tag: 'scaffolded' } },
        [run(A, { number: 1 })],
      ),
    ).toMatchObject({
      behind: true,
      reason: 'dev was never promoted; CI #1 passed for aaaaaaa',
    });
  });

  it('is not behind the build it runs, nor without a passed build', () => {
    const image = { repository: REPO, tag: A };
    expect(
      behindBuildVerdict({ environment: 'dev', image }, [run(A)]).behind,
    ).toBe(false);
    expect(
      behindBuildVerdict(
        { environment: 'dev', image: { repository: REPO, tag: 'scaffolded' } },
        [run(A, { conclusion: 'failure' })],
      ).behind,
    ).toBe(false);
  });

  it('is behind a newer passed build of its branch, not of another branch', () => {
    const image = { repository: REPO, tag: A };
    expect(
      behindBuildVerdict({ environment: 'dev', image }, [run(B), run(A)]),
    ).toMatchObject({
      behind: true,
      reason: 'dev runs aaaaaaa; CI #7 passed for bbbbbbb',
    });
    expect(
      behindBuildVerdict({ environment: 'dev', image }, [
        run(B, { branch: 'feature' }),
        run(A),
      ]).behind,
    ).toBe(false);
  });

  it('is not behind when it runs a build newer than the last passed one', () => {
    const image = { repository: REPO, tag: C };
    expect(
      behindBuildVerdict({ environment: 'dev', image }, [
        run(C, { status: 'in_progress', conclusion: undefined }),
        run(B),
      ]).behind,
    ).toBe(false);
  });

  it('uses the source commit over the tag', () => {
    expect(
      behindBuildVerdict(
        {
          environment: 'dev',
          image: { repository: REPO, tag: 'v1' },
          sourceCommit: A,
        },
        [run(A)],
      ).behind,
    ).toBe(false);
  });

  it('is behind only when a passed build exists, and never behind the commit it runs', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            commit: fc.constantFrom(A, B, C),
            conclusion: fc.constantFrom('success' as const, 'failure' as const),
            branch: fc.constantFrom('main', 'feature', undefined),
          }),
          { maxLength: 5 },
        ),
        fc.constantFrom(A, B, C, 'scaffolded'),
        (runs, tag) => {
          const builds = runs.map(r => run(r.commit, r));
          const verdict = behindBuildVerdict(
            { environment: 'dev', image: { repository: REPO, tag } },
            builds,
          );
          expect(
            !verdict.behind ||
              (verdict.build?.conclusion === 'success' &&
                verdict.build.commit !== tag),
          ).toBe(true);
          expect(verdict.reason).not.toBe('');
        },
      ),
    );
  });
});

describe('behindBuildVerdict, exactly', () => {
  const image = (tag: string) => ({ repository: REPO, tag });

  it('counts only completed runs that succeeded', () => {
    expect(
      behindBuildVerdict({ environment: 'dev', image: image('scaffolded') }, [
        run(A, { status: 'in_progress' }),
      ]),
    ).toStrictEqual({
      behind: false,
      reason: 'No successful build to compare with',
    });
  });

  it('names the build it compared with', () => {
    expect(
      behindBuildVerdict({ environment: 'dev', image: image(A) }, [
        run(B, { number: 8 }),
        run(A),
      ]),
    ).toStrictEqual({
      behind: true,
      reason: 'dev runs aaaaaaa; CI #8 passed for bbbbbbb',
      build: run(B, { number: 8 }),
    });
    expect(
      behindBuildVerdict({ environment: 'dev', image: image(C) }, [
        run(C, { status: 'in_progress', conclusion: undefined }),
        run(B),
      ]),
    ).toStrictEqual({
      behind: false,
      reason: 'dev runs a newer build than the latest successful one',
      build: run(B),
    });
    expect(
      behindBuildVerdict({ environment: 'dev', image: image(A) }, [
        run(A, { number: 9 }),
        run(A, { number: 8, conclusion: 'failure' }),
      ]),
    ).toStrictEqual({
      behind: false,
      reason: 'dev runs the latest successful build (CI #9)',
      build: run(A, { number: 9 }),
    });
  });

  it('is not behind a re-run that passed for the commit it runs', () => {
    expect(
      behindBuildVerdict({ environment: 'dev', image: image(A) }, [
        run(A, { conclusion: 'failure' }),
        run(A, { number: 6 }),
      ]),
    ).toStrictEqual({
      behind: false,
      reason: 'dev runs the latest successful build (CI #6)',
      build: run(A, { number: 6 }),
    });
  });

  it('follows the branch of the running build, whatever its name', () => {
    expect(
      behindBuildVerdict({ environment: 'prod', image: image(A) }, [
        run(B),
        run(A, { branch: 'release/1.x' }),
      ]),
    ).toStrictEqual({
      behind: false,
      reason: 'prod runs the latest successful build (CI #7)',
      build: run(A, { branch: 'release/1.x' }),
    });
    expect(
      behindBuildVerdict({ environment: 'prod', image: image(A) }, [
        run(C, { branch: 'release/1.x' }),
        run(B),
        run(A, { branch: 'release/1.x' }),
      ]),
    ).toMatchObject({
      behind: true,
      reason: 'prod runs aaaaaaa; CI #7 passed for ccccccc',
    });
  });

  it.each([
    ['master', true],
    ['trunk', true],
    ['main', true],
    [undefined, true],
    ['feature/x', false],
  ])(
    'an image not among the builds follows the default branch: a build on %s counts: %s',
    (branch, behind) => {
      expect(
        behindBuildVerdict({ environment: 'dev', image: image(C) }, [
          run(B, { branch }),
        ]),
      ).toStrictEqual(
        behind
          ? {
              behind: true,
              reason: 'dev runs ccccccc; CI #7 passed for bbbbbbb',
              build: run(B, { branch }),
            }
          : { behind: false, reason: 'No successful build to compare with' },
      );
    },
  );

  it('a never-promoted environment follows the default branch too', () => {
    expect(
      behindBuildVerdict({ environment: 'dev', image: image('scaffolded') }, [
        run(B, { branch: 'feature/x' }),
        run(A, { branch: undefined, number: 3 }),
      ]),
    ).toStrictEqual({
      behind: true,
      reason: 'dev was never promoted; CI #3 passed for aaaaaaa',
      build: run(A, { branch: undefined, number: 3 }),
    });
    expect(
      behindBuildVerdict({ environment: 'dev' }, [
        run(B, { branch: 'feature/x' }),
        run(A, { branch: 'feature/y' }),
      ]),
    ).toStrictEqual({
      behind: false,
      reason: 'No successful build to compare with',
    });
  });

  it('a pull request’s builds of other commits change nothing', () => {
    const D = 'd'.repeat(40);
    const E = 'e'.repeat(40);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            commit: fc.constantFrom(A, B, C),
            conclusion: fc.constantFrom('success' as const, 'failure' as const),
            branch: fc.constantFrom('main', 'release', 'feature', undefined),
          }),
          { maxLength: 5 },
        ),
        fc.array(fc.constantFrom(D, E), { minLength: 1, maxLength: 3 }),
        fc.constantFrom(A, B, C, 'scaffolded'),
        (runs, pullRequestCommits, tag) => {
          const builds = runs.map(r => run(r.commit, r));
          const candidate = { environment: 'dev', image: image(tag) };
          const withPullRequests = [
            ...pullRequestCommits.map(commit =>
              run(commit, { branch: 'pull/1', number: 99 }),
            ),
            ...builds,
          ];
          expect(behindBuildVerdict(candidate, withPullRequests)).toStrictEqual(
            behindBuildVerdict(candidate, builds),
          );
        },
      ),
    );
  });
});
