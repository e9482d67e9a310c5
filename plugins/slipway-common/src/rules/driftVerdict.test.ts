import fc from 'fast-check';
import { driftVerdict } from './driftVerdict';
import { liveImageMatches } from './liveImageMatches';
import { imageArb, liveReference, syncArb } from './__testUtils__/arbitraries';

const IMAGE = {
  repository: 'registry.example.com/acme/app',
  tag: 'abc',
  digest: `sha256:${'e'.repeat(64)}`,
};

describe('driftVerdict', () => {
  it('says what Git wants and what the cluster runs', () => {
    const verdict = driftVerdict({
      desired: IMAGE,
      live: {
        syncStatus: 'OutOfSync',
        images: ['registry.example.com/acme/app:other'],
      },
    });
    expect(verdict).toEqual({
      drifted: true,
      reasons: [
        'Argo CD reports OutOfSync',
        `Git wants registry.example.com/acme/app:abc@${IMAGE.digest}; the cluster runs registry.example.com/acme/app:other`,
      ],
    });
  });

  it('names Flux when Flux reports the state', () => {
    expect(
      driftVerdict({
        desired: IMAGE,
        live: {
          controller: 'flux',
          syncStatus: 'OutOfSync',
          images: [liveReference(IMAGE)],
        },
      }),
    ).toEqual({ drifted: true, reasons: ['Flux reports OutOfSync'] });
  });

  it('says so when the cluster reports no images, and caps a long list', () => {
    expect(
      driftVerdict({
        desired: IMAGE,
        live: { syncStatus: 'Synced', images: [] },
      }).reasons,
    ).toEqual([
      `Git wants registry.example.com/acme/app:abc@${IMAGE.digest}; the cluster reports no images`,
    ]);
    const many = Array.from({ length: 8 }, (_, i) => `other/image:${i}`);
    const [reason] = driftVerdict({
      desired: IMAGE,
      live: { syncStatus: 'Synced', images: many },
    }).reasons;
    expect(reason).toContain('and 3 more');
    expect(reason).not.toContain('other/image:7');
  });

  it('is not drifted when Synced and the desired image runs among others', () => {
    expect(
      driftVerdict({
        desired: IMAGE,
        live: {
          syncStatus: 'Synced',
          images: ['sidecar:1', `${IMAGE.repository}@${IMAGE.digest}`],
        },
      }),
    ).toEqual({ drifted: false, reasons: [] });
  });

  it('drifts exactly when OutOfSync or no running image is the desired one', () => {
    fc.assert(
      fc.property(
        fc.option(imageArb, { nil: undefined }),
        fc.array(imageArb, { maxLength: 4 }),
        syncArb,
        (desired, running, syncStatus) => {
          const images = running.map(liveReference);
          const verdict = driftVerdict({
            desired,
            live: { syncStatus, images },
          });
          expect(verdict.drifted).toBe(verdict.reasons.length > 0);
          expect(verdict.reasons.includes('Argo CD reports OutOfSync')).toBe(
            syncStatus === 'OutOfSync',
          );
          const imageDrift =
            desired !== undefined &&
            !images.some(image => liveImageMatches(image, desired));
          expect(verdict.reasons.length).toBe(
            (syncStatus === 'OutOfSync' ? 1 : 0) + (imageDrift ? 1 : 0),
          );
        },
      ),
    );
  });

  it('never drifts by image when the cluster runs the desired image', () => {
    fc.assert(
      fc.property(
        imageArb,
        fc.array(imageArb, { maxLength: 3 }),
        (desired, others) => {
          fc.pre(desired.tag !== undefined || desired.digest !== undefined);
          const images = [...others, desired].map(liveReference);
          expect(
            driftVerdict({ desired, live: { syncStatus: 'Synced', images } }),
          ).toEqual({ drifted: false, reasons: [] });
        },
      ),
    );
  });
});
