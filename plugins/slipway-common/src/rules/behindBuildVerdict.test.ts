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
