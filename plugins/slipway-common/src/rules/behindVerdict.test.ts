import fc from 'fast-check';
import { behindVerdict, sameImageVersion } from './behindVerdict';
import { digestArb, imageArb, tagArb } from './__testUtils__/arbitraries';

const REPO = 'registry.example.com/acme/app';
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

describe('sameImageVersion', () => {
  it.each([
    [{ tag: 'a', digest: D1 }, { tag: 'b', digest: D1 }, true],
    [{ tag: 'a', digest: D1 }, { tag: 'a', digest: D2 }, false],
    [{ tag: 'a', digest: D1 }, { tag: 'a' }, true],
    [{ tag: 'a' }, { tag: 'b' }, false],
    [{ digest: D1 }, { tag: 'a' }, false],
    [{}, {}, false],
  ])('%j and %j: same %s', (a, b, same) => {
    expect(
      sameImageVersion({ repository: REPO, ...a }, { repository: REPO, ...b })
        .same,
    ).toBe(same);
  });

  it('is symmetric and reflexive for pinned images', () => {
    fc.assert(
      fc.property(imageArb, imageArb, (a, b) => {
        expect(sameImageVersion(a, b).same).toBe(sameImageVersion(b, a).same);
        const pinned = a.tag !== undefined || a.digest !== undefined;
        expect(sameImageVersion(a, a).same).toBe(pinned);
      }),
    );
  });

  it('digests decide over tags; the repository does not count', () => {
    fc.assert(
      fc.property(
        tagArb,
        tagArb,
        digestArb,
        digestArb,
        (tagA, tagB, digestA, digestB) => {
          expect(
            sameImageVersion(
              { repository: 'a/x', tag: tagA, digest: digestA },
              { repository: 'b/y', tag: tagB, digest: digestB },
            ).same,
          ).toBe(digestA === digestB);
        },
      ),
    );
  });
});

describe('behindVerdict', () => {
  const dev = { environment: 'dev', image: { repository: REPO, tag: 'new' } };

  it('the first environment is never behind', () => {
    expect(behindVerdict(dev, dev)).toMatchObject({ behind: false });
    expect(behindVerdict(dev, undefined)).toMatchObject({ behind: false });
  });

  it('is behind when it sets another version, and says which', () => {
    const verdict = behindVerdict(
      { environment: 'staging', image: { repository: REPO, tag: 'old' } },
      dev,
    );
    expect(verdict).toEqual({
      behind: true,
      reason: 'staging sets another version than dev: tag old is not new',
    });
  });

  it('is behind when it sets no image and the first one does', () => {
    expect(behindVerdict({ environment: 'prod' }, dev)).toEqual({
      behind: true,
      reason: `prod sets no image; dev sets ${REPO}:new`,
    });
  });

  it('is not behind when the first environment sets no image', () => {
    expect(behindVerdict(dev, { environment: 'qa' }).behind).toBe(false);
  });

  it('is behind exactly when the versions differ', () => {
    fc.assert(
      fc.property(
        fc.option(imageArb, { nil: undefined }),
        fc.option(imageArb, { nil: undefined }),
        (image, first) => {
          const verdict = behindVerdict(
            { environment: 'prod', image },
            { environment: 'dev', image: first },
          );
          const expected =
            first !== undefined &&
            (image === undefined || !sameImageVersion(image, first).same);
          expect(verdict.behind).toBe(expected);
          expect(verdict.reason).not.toBe('');
        },
      ),
    );
  });
});
