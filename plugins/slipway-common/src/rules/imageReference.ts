import { ImageRef } from '../state';

/** An image as people and container runtimes write it: `repository[:tag][@digest]`. @public */
export function imageReference(image: ImageRef): string {
  return `${image.repository}${image.tag !== undefined ? `:${image.tag}` : ''}${
    image.digest !== undefined ? `@${image.digest}` : ''
  }`;
}

/**
 * Splits a live image reference (`repo:tag@digest`, `repo:tag`,
 * `repo@digest`, `host:port/repo:tag`) into repository, tag and digest.
 *
 * @public
 */
export function parseImageReference(reference: string): ImageRef {
  const at = reference.indexOf('@');
  const nameAndTag = at < 0 ? reference : reference.slice(0, at);
  const digest = at < 0 ? undefined : reference.slice(at + 1);
  const slash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  const image: ImageRef = {
    repository: colon > slash ? nameAndTag.slice(0, colon) : nameAndTag,
  };
  if (colon > slash) image.tag = nameAndTag.slice(colon + 1);
  if (digest !== undefined) image.digest = digest;
  return image;
}
