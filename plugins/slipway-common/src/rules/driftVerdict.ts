import { controllerWords } from './controllerWords';
import { EnvironmentState, ImageRef, LiveState } from '../state';
import { imageReference } from './imageReference';
import { liveImageMatches } from './liveImageMatches';

/** The facts the "drifted" rule reads: what Git wants and what runs. @public */
export interface DriftFacts {
  /** The image the overlay sets, if any. */
  desired?: ImageRef;
  live: Pick<LiveState, 'syncStatus' | 'images' | 'controller'>;
}

/** Whether Git and the cluster disagree, and every reason why. @public */
export type DriftVerdict = EnvironmentState['drift'];

const MAX_LISTED_IMAGES = 5;

function runningImages(images: string[]): string {
  if (images.length === 0) return 'reports no images';
  const listed = images.slice(0, MAX_LISTED_IMAGES).join(', ');
  const more = images.length - MAX_LISTED_IMAGES;
  return `runs ${listed}${more > 0 ? ` and ${more} more` : ''}`;
}

/**
 * Drifted: the controller (Argo CD, Flux) reports OutOfSync, or no image the cluster runs is the
 * image the overlay sets. Each reason says what Git wants and what the
 * cluster runs.
 *
 * @public
 */
export function driftVerdict(facts: DriftFacts): DriftVerdict {
  const reasons: string[] = [];
  if (facts.live.syncStatus === 'OutOfSync') {
    reasons.push(
      `${controllerWords(facts.live.controller).name} reports OutOfSync`,
    );
  }
  const desired = facts.desired;
  if (
    desired &&
    !facts.live.images.some(image => liveImageMatches(image, desired))
  ) {
    reasons.push(
      `Git wants ${imageReference(desired)}; the cluster ${runningImages(
        facts.live.images,
      )}`,
    );
  }
  return { drifted: reasons.length > 0, reasons };
}
