import { InputError } from '@backstage/errors';
import {
  assertDigest,
  assertImageRepository,
  assertOciTag,
  kustomizationImages,
} from '@slipway/plugin-slipway-common';
import { Document, isMap, isSeq, parseDocument, YAMLMap } from 'yaml';

/**
 * An image override, with the semantics of `kustomize edit set image`:
 * `name` selects the entry, `newName`, `newTag` and `digest` set its fields.
 *
 * An undefined field is kept where kustomize would keep it with `*`:
 * `newName` is kept unless given; `newTag` and `digest` are kept only when
 * neither is given. Giving one of them clears the other, exactly as
 * `kustomize edit set image <name>=*:<tag>` or `<name>=*@<digest>` do, so a
 * tag and a digest never contradict each other. Give both to pin one
 * artifact (see {@link setKustomizeImageArtifact}).
 *
 * @public
 */
export interface KustomizeImage {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** One built artifact: the tag and digest it was pushed with. @public */
export interface KustomizeImageArtifact {
  /** The image name the manifests use (the entry's `name`). */
  name: string;
  /** Repository to run, when it differs from `name`. */
  newName?: string;
  /** The tag the artifact was built with (the source commit SHA). */
  tag: string;
  /** The artifact's digest, `sha256:<64 hex>`. */
  digest: string;
}

/** The result of an edit: the new text and whether anything changed. @public */
export interface KustomizeEditResult {
  content: string;
  changed: boolean;
}

const MAX_KUSTOMIZATION_BYTES = 256 * 1024;
const FIELDS = ['newName', 'newTag', 'digest'] as const;
type Field = (typeof FIELDS)[number];

function validate(image: KustomizeImage): void {
  assertImageRepository(image.name);
  if (image.newName !== undefined) assertImageRepository(image.newName);
  if (image.newTag !== undefined) assertOciTag(image.newTag);
  if (image.digest !== undefined) assertDigest(image.digest);
  if (
    image.newName === undefined &&
    image.newTag === undefined &&
    image.digest === undefined
  ) {
    throw new InputError('Set at least one of newName, newTag or digest');
  }
}

function parseKustomization(content: string): Document {
  if (Buffer.byteLength(content, 'utf8') > MAX_KUSTOMIZATION_BYTES) {
    throw new InputError('kustomization.yaml is larger than 256 KiB');
  }
  const doc = parseDocument(content, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new InputError(
      `kustomization.yaml does not parse: ${doc.errors[0].message}`,
    );
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new InputError('kustomization.yaml must be a mapping');
  }
  return doc;
}

/** The value each field has after the edit (`undefined`: absent). */
function wanted(
  image: KustomizeImage,
  current: (field: Field) => string | undefined,
): Record<Field, string | undefined> {
  const pinsVersion = image.newTag !== undefined || image.digest !== undefined;
  return {
    newName: image.newName ?? current('newName'),
    newTag: pinsVersion ? image.newTag : current('newTag'),
    digest: pinsVersion ? image.digest : current('digest'),
  };
}

/**
 * Sets an image override in a kustomization.yaml with the semantics of
 * `kustomize edit set image` (see {@link KustomizeImage}), editing the parsed
 * tree so comments, order and layout survive (kustomize itself rewrites and
 * sorts the file). Idempotent: setting what is already there returns
 * `changed: false` and the input unchanged. A list naming the image twice is
 * refused rather than guessed at.
 *
 * @public
 */
export function setKustomizeImage(
  content: string,
  image: KustomizeImage,
): KustomizeEditResult {
  validate(image);
  const doc = parseKustomization(content);
  if (doc.contents === null) {
    doc.contents = doc.createNode({}) as YAMLMap;
  }
  const root = doc.contents as YAMLMap;
  let images: unknown = root.get('images', true);
  const listed = root.get('images');
  if (listed === undefined || listed === null) {
    images = doc.createNode([]);
    root.set('images', images);
  }
  if (!isSeq(images)) {
    throw new InputError('kustomization.yaml "images" must be a list');
  }

  const matches = images.items.filter(
    (item): item is YAMLMap => isMap(item) && item.get('name') === image.name,
  );
  if (matches.length > 1) {
    throw new InputError(
      `kustomization.yaml lists the image ${image.name} more than once`,
    );
  }
  let entry = matches[0];
  if (!entry) {
    entry = doc.createNode({ name: image.name }) as YAMLMap;
    images.items.push(entry);
  }
  const current = (field: Field) => {
    const value = entry.get(field);
    if (typeof value === 'string') return value;
    return typeof value === 'number' ? String(value) : undefined;
  };
  const target = wanted(image, current);

  let changed = matches.length === 0;
  for (const field of FIELDS) {
    const value = target[field];
    if (value === undefined) {
      if (entry.has(field)) {
        entry.delete(field);
        changed = true;
      }
    } else if (current(field) !== value) {
      entry.set(field, value);
      changed = true;
    }
  }

  if (!changed) {
    return { content, changed: false };
  }
  return { content: doc.toString({ lineWidth: 0 }), changed: true };
}

/**
 * Pins one artifact: writes its tag and its digest together (what a
 * promotion writes), so the overlay names the build by both and neither can
 * be left over from another build. Same as `kustomize edit set image
 * <name>=<newName or *>:<tag>@<digest>`.
 *
 * @public
 */
export function setKustomizeImageArtifact(
  content: string,
  artifact: KustomizeImageArtifact,
): KustomizeEditResult {
  if (!artifact.tag || !artifact.digest) {
    throw new InputError('An artifact needs both its tag and its digest');
  }
  return setKustomizeImage(content, {
    name: artifact.name,
    newName: artifact.newName,
    newTag: artifact.tag,
    digest: artifact.digest,
  });
}

/**
 * Reads the image entries of a kustomization.yaml, with the common rule
 * {@link @slipway/plugin-slipway-common#kustomizationImages} (the one the
 * state reader uses), after the same size and syntax checks as the edits.
 *
 * @public
 */
export function readKustomizeImages(content: string): KustomizeImage[] {
  const doc = parseKustomization(content);
  const images = doc.contents
    ? (doc.contents as YAMLMap).get('images')
    : undefined;
  if (images !== undefined && images !== null && !isSeq(images)) {
    throw new InputError('kustomization.yaml "images" must be a list');
  }
  return kustomizationImages(doc.toJS({ maxAliasCount: 50 }));
}
