import { createHash } from 'node:crypto';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Deterministic digest of the image built from a commit (an index digest when multi-arch). */
export function artifactDigest(
  project: string,
  repository: string,
  commitSha: string,
  multiArch = false,
): string {
  return `sha256:${sha256(
    `${multiArch ? 'index' : 'manifest'}:${project}/${repository}@${commitSha}`,
  )}`;
}

/** Digest of one platform manifest of a multi-arch index. */
export function platformDigest(
  indexDigest: string,
  architecture: string,
): string {
  return `sha256:${sha256(`platform:${indexDigest}:${architecture}`)}`;
}

/** Digest of the cosign signature of an artifact. */
export function signatureDigest(subjectDigest: string): string {
  return `sha256:${sha256(`cosign:${subjectDigest}`)}`;
}

/** A stable pseudo-random byte sequence for an input, for varied but deterministic data. */
export function stableBytes(input: string): Buffer {
  return createHash('sha256').update(input).digest();
}
