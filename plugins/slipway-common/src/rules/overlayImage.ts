import { ImageRef } from '../state';

/**
 * One entry of a kustomization's `images:` list, as `kustomize edit set image`
 * writes it. @public
 */
export interface KustomizationImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(entry: Record<string, unknown>, key: string) {
  const value = entry[key];
  if (typeof value === 'string') return value;
  // YAML reads an unquoted numeric tag (`newTag: 1234`) as a number.
  if (key === 'newTag' && typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  return undefined;
}

/**
 * The `images:` entries of a parsed kustomization (the object a YAML parser
 * returns). Entries without a string `name` are skipped; anything that is not
 * a mapping with an `images` list yields no entries.
 *
 * @public
 */
export function kustomizationImages(
  kustomization: unknown,
): KustomizationImageEntry[] {
  if (!isRecord(kustomization)) return [];
  const images = kustomization.images;
  if (!Array.isArray(images)) return [];
  const entries: KustomizationImageEntry[] = [];
  for (const item of images) {
    if (!isRecord(item)) continue;
    const name = stringField(item, 'name');
    if (!name) continue;
    const entry: KustomizationImageEntry = { name };
    const newName = stringField(item, 'newName');
    const newTag = stringField(item, 'newTag');
    const digest = stringField(item, 'digest');
    if (newName !== undefined) entry.newName = newName;
    if (newTag !== undefined) entry.newTag = newTag;
    if (digest !== undefined) entry.digest = digest;
    entries.push(entry);
  }
  return entries;
}

/**
 * Which image an overlay sets: the `images:` entry whose `name` or `newName`
 * is the entity's image, or the only entry when the entity names none (or
 * none matches and there is exactly one). The repository is `newName` when
 * set, else `name`.
 *
 * @public
 */
export function overlayImage(
  kustomization: unknown,
  imageName?: string,
): ImageRef | undefined {
  const entries = kustomizationImages(kustomization);
  // Without a name, `newName === imageName` would pick any entry lacking newName.
  const named =
    imageName === undefined
      ? undefined
      : entries.find(e => e.name === imageName || e.newName === imageName);
  const entry = named ?? (entries.length === 1 ? entries[0] : undefined);
  if (!entry) return undefined;
  const image: ImageRef = { repository: entry.newName ?? entry.name };
  if (entry.newTag !== undefined) image.tag = entry.newTag;
  if (entry.digest !== undefined) image.digest = entry.digest;
  return image;
}
