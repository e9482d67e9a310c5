import { InputError } from '@backstage/errors';
import {
  assertDigest,
  assertImageRepository,
  assertOciTag,
} from '@slipway/plugin-slipway-common';
import { Document, isMap, isSeq, parseDocument, YAMLMap } from 'yaml';

/**
 * An image override, with the semantics of `kustomize edit set image`:
 * `name` selects the entry, `newName`, `newTag` and `digest` set its fields.
 *
 * @public
 */
export interface KustomizeImage {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** The result of an edit: the new text and whether anything changed. @public */
export interface KustomizeEditResult {
  content: string;
  changed: boolean;
}

const MAX_KUSTOMIZATION_BYTES = 256 * 1024;

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

/**
 * Sets an image override in a kustomization.yaml, editing the parsed tree so
 * comments and layout survive. Idempotent: setting what is already there
 * returns `changed: false` and the input unchanged. Setting a digest keeps the
 * tag (kustomize ignores the tag when a digest is present, but people read it).
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
  if (images === undefined || images === null) {
    images = doc.createNode([]);
    root.set('images', images);
  }
  if (!isSeq(images)) {
    throw new InputError('kustomization.yaml "images" must be a list');
  }

  let entry: YAMLMap | undefined;
  for (const item of images.items) {
    if (isMap(item) && item.get('name') === image.name) {
      entry = item;
      break;
    }
  }
  if (!entry) {
    entry = doc.createNode({ name: image.name }) as YAMLMap;
    images.items.push(entry);
  }

  let changed = false;
  const assign = (key: 'newName' | 'newTag' | 'digest', value?: string) => {
    if (value !== undefined && entry!.get(key) !== value) {
      entry!.set(key, value);
      changed = true;
    }
  };
  assign('newName', image.newName);
  assign('newTag', image.newTag);
  assign('digest', image.digest);

  if (!changed) {
    return { content, changed: false };
  }
  return { content: doc.toString({ lineWidth: 0 }), changed: true };
}

/**
 * Reads the image entries of a kustomization.yaml.
 *
 * @public
 */
export function readKustomizeImages(content: string): KustomizeImage[] {
  const doc = parseKustomization(content);
  const images = doc.contents
    ? (doc.contents as YAMLMap).get('images')
    : undefined;
  if (images === undefined || images === null) return [];
  if (!isSeq(images)) {
    throw new InputError('kustomization.yaml "images" must be a list');
  }
  const result: KustomizeImage[] = [];
  for (const item of images.items) {
    if (!isMap(item)) continue;
    const read = (key: string) => {
      const value = item.get(key);
      return typeof value === 'string' ? value : undefined;
    };
    const name = read('name');
    if (!name) continue;
    result.push({
      name,
      newName: read('newName'),
      newTag:
        read('newTag') ??
        (typeof item.get('newTag') === 'number'
          ? String(item.get('newTag'))
          : undefined),
      digest: read('digest'),
    });
  }
  return result;
}
