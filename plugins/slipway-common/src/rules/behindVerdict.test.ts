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

  it('compares by digest only when both name one (boundary)', () => {
    expect(
      sameImageVersion(
        { repository: REPO, tag: 'a' },
        { repository: REPO, tag: 'a', digest: D1 },
      ).same,
    ).toBe(true);
  });

  it.each([
    [{ digest: D1 }, { digest: D1 }, `same digest ${D1}`],
    [{ digest: D1 }, { digest: D2 }, `digest ${D1} is not ${D2}`],
    [{ tag: 'a' }, { tag: 'a' }, 'same tag a'],
    [{ tag: 'a' }, { tag: 'b' }, 'tag a is not b'],
    [
      { tag: 'a' },
      {},
      `${REPO}:a and ${REPO} share neither a tag nor a digest`,
    ],
    [
      {},
      { tag: 'a' },
      `${REPO} and ${REPO}:a share neither a tag nor a digest`,
    ],
  ])('%j and %j: says "%s"', (a, b, reason) => {
    expect(
      sameImageVersion({ repository: REPO, ...a }, { repository: REPO, ...b }),
    ).toEqual({ same: reason.startsWith('same'), reason });
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

  it('the reference environment is not behind even with another image', () => {
    expect(
      behindVerdict(
        { environment: 'dev', image: { repository: REPO, tag: 'old' } },
        dev,
      ),
    ).toEqual({ behind: false, reason: 'This is the first environment' });
  });

  it('is not behind when it sets the same version, and says why', () => {
    expect(
      behindVerdict(
        { environment: 'staging', image: { repository: REPO, tag: 'new' } },
        dev,
      ),
    ).toEqual({
      behind: false,
      reason: 'staging sets what dev sets (same tag new)',
    });
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
