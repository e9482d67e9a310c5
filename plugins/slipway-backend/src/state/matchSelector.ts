/** Parses an equality label selector `a=b,c=d` (or `a` for "exists"). */
export function parseSelector(
  selector: string,
): { key: string; value?: string }[] {
  return selector
    .split(',')
    .map(term => term.trim())
    .filter(Boolean)
    .map(term => {
      const [key, value] = term.split('=').map(s => s.trim());
      return value === undefined ? { key } : { key, value };
    });
}

/** True when the labels satisfy every term of the selector. */
export function matchesSelector(
  selector: string,
  labels: Record<string, string>,
): boolean {
  return parseSelector(selector).every(term =>
    term.value === undefined
      ? term.key in labels
      : labels[term.key] === term.value,
  );
}

/** True when a live image reference (`repo:tag@digest`, `repo:tag`, `repo@digest`) is the image. */
export function liveImageMatches(
  live: string,
  image: { repository: string; tag?: string; digest?: string },
): boolean {
  const [nameAndTag, digest] = live.split('@');
  const slash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  const repository = colon > slash ? nameAndTag.slice(0, colon) : nameAndTag;
  const tag = colon > slash ? nameAndTag.slice(colon + 1) : undefined;
  if (repository !== image.repository) return false;
  if (image.digest && digest) return image.digest === digest;
  if (image.tag && tag) return image.tag === tag;
  return false;
}
