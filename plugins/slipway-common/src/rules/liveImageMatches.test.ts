import fc from 'fast-check';
import { imageReference, parseImageReference } from './imageReference';
import { liveImageMatches } from './liveImageMatches';
import {
  digestArb,
  imageArb,
  liveReference,
  repositoryArb,
  tagArb,
} from './__testUtils__/arbitraries';

const REPO = 'registry.example.com:5000/acme/app';
const DIGEST = `sha256:${'e'.repeat(64)}`;

describe('liveImageMatches', () => {
  it.each([
    [`${REPO}:abc@${DIGEST}`, { repository: REPO, digest: DIGEST }, true],
    [
      `${REPO}:other@${DIGEST}`,
      { repository: REPO, tag: 'abc', digest: DIGEST },
      true,
    ],
    [`${REPO}:abc`, { repository: REPO, tag: 'abc', digest: DIGEST }, true],
    [`${REPO}@${DIGEST}`, { repository: REPO, tag: 'abc' }, false],
    [`${REPO}`, { repository: REPO }, false],
    [`${REPO}-other:abc`, { repository: REPO, tag: 'abc' }, false],
    [
      'registry.example.com:5000',
      { repository: 'registry.example.com', tag: '5000' },
      true,
    ],
    ['localhost:5000/app', { repository: 'localhost:5000/app' }, false],
  ])('%s against %j is %s', (live, image, expected) => {
    expect(liveImageMatches(live, image)).toBe(expected);
  });

  it('matches the image it was written from', () => {
    fc.assert(
      fc.property(imageArb, image => {
        const pinned = image.tag !== undefined || image.digest !== undefined;
        expect(liveImageMatches(liveReference(image), image)).toBe(pinned);
      }),
    );
  });

  it('never matches another repository', () => {
    fc.assert(
      fc.property(imageArb, repositoryArb, (image, other) => {
        fc.pre(other !== image.repository);
        expect(
          liveImageMatches(
            liveReference({ ...image, repository: other }),
            image,
          ),
        ).toBe(false);
      }),
    );
  });

  it('a digest on both sides decides, whatever the tags say', () => {
    fc.assert(
      fc.property(
        repositoryArb,
        tagArb,
        tagArb,
        digestArb,
        digestArb,
        (repository, tag, liveTag, digest, liveDigest) => {
          const live = `${repository}:${liveTag}@${liveDigest}`;
          expect(liveImageMatches(live, { repository, tag, digest })).toBe(
            digest === liveDigest,
          );
        },
      ),
    );
  });

  it('parses what imageReference writes', () => {
    fc.assert(
      fc.property(imageArb, image => {
        expect(parseImageReference(imageReference(image))).toEqual(image);
      }),
    );
  });
});
