import fc from 'fast-check';
import { kustomizationImages, overlayImage } from './overlayImage';
import { imageArb } from './__testUtils__/arbitraries';

const DIGEST = `sha256:${'1'.repeat(64)}`;

describe('overlayImage', () => {
  it('picks the entry named after the image, by name or newName', () => {
    const kustomization = {
      images: [
        { name: 'other/image', newTag: 'x' },
        {
          name: 'app',
          newName: 'registry/acme/app',
          newTag: 'abc',
          digest: DIGEST,
        },
      ],
    };
    expect(overlayImage(kustomization, 'registry/acme/app')).toEqual({
      repository: 'registry/acme/app',
      tag: 'abc',
      digest: DIGEST,
    });
    expect(overlayImage(kustomization, 'app')?.repository).toBe(
      'registry/acme/app',
    );
    expect(overlayImage(kustomization, 'other/image')).toEqual({
      repository: 'other/image',
      tag: 'x',
    });
    expect(overlayImage(kustomization, 'missing')).toBeUndefined();
    expect(overlayImage(kustomization)).toBeUndefined();
  });

  it('takes the only entry when the image is not named or not found', () => {
    const kustomization = { images: [{ name: 'app', newTag: 'v1' }] };
    expect(overlayImage(kustomization)).toEqual({
      repository: 'app',
      tag: 'v1',
    });
    expect(overlayImage(kustomization, 'other')).toEqual({
      repository: 'app',
      tag: 'v1',
    });
  });

  it('reads a tag YAML parsed as a number as that number written out', () => {
    expect(overlayImage({ images: [{ name: 'app', newTag: 1234 }] })).toEqual({
      repository: 'app',
      tag: '1234',
    });
    expect(
      overlayImage({ images: [{ name: 'app', newTag: Number.NaN }] }),
    ).toEqual({ repository: 'app' });
  });

  it.each([
    undefined,
    null,
    'images: []',
    42,
    [],
    { images: 'app' },
    { images: {} },
    { images: [null, 1, 'app', [], { newTag: 'x' }, { name: 7 }] },
  ])('finds no image in %j', kustomization => {
    expect(overlayImage(kustomization)).toBeUndefined();
    expect(kustomizationImages(kustomization)).toEqual([]);
  });

  it('never throws, and only returns what an entry says', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.option(fc.string(), { nil: undefined }),
        (images, name) => {
          const kustomization = { images };
          const image = overlayImage(kustomization, name);
          if (!image) return;
          const entries = kustomizationImages(kustomization);
          expect(
            entries.some(e => (e.newName ?? e.name) === image.repository),
          ).toBe(true);
        },
      ),
    );
  });

  it('round-trips entries written the way kustomize writes them', () => {
    fc.assert(
      fc.property(
        fc.array(imageArb, { minLength: 1, maxLength: 4 }),
        images => {
          const entries = images.map((image, i) => ({
            name: `image-${i}`,
            newName: image.repository,
            ...(image.tag !== undefined ? { newTag: image.tag } : {}),
            ...(image.digest !== undefined ? { digest: image.digest } : {}),
          }));
          const kustomization = { images: entries };
          expect(kustomizationImages(kustomization)).toEqual(entries);
          images.forEach((image, i) => {
            expect(overlayImage(kustomization, `image-${i}`)).toEqual(image);
          });
        },
      ),
    );
  });
});
