import { ImageRef } from '../state';
import { imageReference } from './imageReference';

/** Whether two overlays set the same version of an image, and why. @public */
export interface SameVersionVerdict {
  same: boolean;
  reason: string;
}

/**
 * Same version: by digest when both name one, else by tag when both name
 * one. Two images that share neither cannot be told apart from a different
 * version, so they are not the same (fails closed). The repository is not
 * compared: a promoted image may be mirrored under another name.
 *
 * @public
 */
export function sameImageVersion(a: ImageRef, b: ImageRef): SameVersionVerdict {
  if (a.digest !== undefined && b.digest !== undefined) {
    return a.digest === b.digest
      ? { same: true, reason: `same digest ${a.digest}` }
      : { same: false, reason: `digest ${a.digest} is not ${b.digest}` };
  }
  if (a.tag !== undefined && b.tag !== undefined) {
    return a.tag === b.tag
      ? { same: true, reason: `same tag ${a.tag}` }
      : { same: false, reason: `tag ${a.tag} is not ${b.tag}` };
  }
  return {
    same: false,
    reason: `${imageReference(a)} and ${imageReference(
      b,
    )} share neither a tag nor a digest`,
  };
}

/** One environment and the image its overlay sets. @public */
export interface EnvironmentImage {
  environment: string;
  image?: ImageRef;
}

/** Whether an environment lags the reference environment, and why. @public */
export interface BehindVerdict {
  behind: boolean;
  reason: string;
}

/**
 * Behind: the environment's overlay does not set the version the reference
 * environment (the first in promotion order) sets. The reference itself, and
 * any environment when the reference sets no image, is never behind.
 *
 * @public
 */
export function behindVerdict(
  candidate: EnvironmentImage,
  reference: EnvironmentImage | undefined,
): BehindVerdict {
  if (!reference || reference.environment === candidate.environment) {
    return { behind: false, reason: 'This is the first environment' };
  }
  if (!reference.image) {
    return {
      behind: false,
      reason: `${reference.environment} sets no image to compare with`,
    };
  }
  if (!candidate.image) {
    return {
      behind: true,
      reason: `${candidate.environment} sets no image; ${
        reference.environment
      } sets ${imageReference(reference.image)}`,
    };
  }
  const version = sameImageVersion(candidate.image, reference.image);
  return version.same
    ? {
        behind: false,
        reason: `${candidate.environment} sets what ${reference.environment} sets (${version.reason})`,
      }
    : {
        behind: true,
        reason: `${candidate.environment} sets another version than ${reference.environment}: ${version.reason}`,
      };
}
