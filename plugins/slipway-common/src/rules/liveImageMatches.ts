import { ImageRef } from '../state';
import { parseImageReference } from './imageReference';

/**
 * True when an image the cluster runs (as Argo CD lists it:
 * `repo:tag@digest`, `repo:tag` or `repo@digest`) is the image Git asks
 * for: same repository, then the digest when both name one, else the tag
 * when both name one. Anything else does not match (fails closed).
 *
 * @public
 */
export function liveImageMatches(live: string, image: ImageRef): boolean {
  const running = parseImageReference(live);
  if (running.repository !== image.repository) return false;
  if (image.digest && running.digest) return image.digest === running.digest;
  if (image.tag && running.tag) return image.tag === running.tag;
  return false;
}
