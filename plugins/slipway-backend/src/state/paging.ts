import { InputError } from '@backstage/errors';

/** An opaque cursor for the item at `offset`. */
function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

/** The offset a cursor stands for (0 without one); InputError when forged. */
export function decodeCursor(cursor?: string): number {
  if (!cursor) return 0;
  try {
    const { o } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Number.isInteger(o) && o >= 0) return o;
  } catch {
    // fall through
  }
  throw new InputError('Invalid cursor');
}

/** `limit` clamped to `[1, max]`, `fallback` when absent. */
export function clampLimit(
  limit: number | undefined,
  fallback: number,
  max: number,
): number {
  return Math.min(Math.max(limit ?? fallback, 1), max);
}

/** The cursor of the page after `[offset, offset + limit)`, if there is one. */
export function nextCursor(
  offset: number,
  limit: number,
  total: number,
): string | undefined {
  return offset + limit < total ? encodeCursor(offset + limit) : undefined;
}
