/**
 * Pure formatting helpers shared by the Deploy tab and the fleet page.
 */

/** The first 7 characters of a git SHA (or a tag that is one). */
export function shortSha(sha: string | undefined): string | undefined {
  if (!sha) return undefined;
  return /^[0-9a-f]{12,}$/i.test(sha) ? sha.slice(0, 7) : sha;
}

/** A tag as people read it: a full SHA is shortened, other tags are kept. */
export function shortTag(tag: string | undefined): string | undefined {
  return shortSha(tag);
}

/** `sha256:abcdef…` → `sha256:abcdef12` (12 hex characters). */
export function shortDigest(digest: string | undefined): string | undefined {
  if (!digest) return undefined;
  const [algorithm, hex] = digest.includes(':')
    ? digest.split(':', 2)
    : ['sha256', digest];
  return `${algorithm}:${hex.slice(0, 12)}`;
}

/** How long ago `iso` was, relative to `now`, in whole words. */
export function relativeTime(iso: string | undefined, now: number): string {
  if (!iso) return 'at an unknown time';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return 'at an unknown time';
  const seconds = Math.round((now - then) / 1000);
  if (seconds < 0) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} ${plural(minutes, 'minute')} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} ${plural(hours, 'hour')} ago`;
  const days = Math.floor(hours / 24);
  return `${days} ${plural(days, 'day')} ago`;
}

/** An absolute, unambiguous time for titles and hovers. */
export function absoluteTime(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

/**
 * A time in the reader's own time zone: `14:05` today, `4 May, 14:05`
 * another day. For notices, where a raw ISO timestamp must never show.
 */
export function localTime(
  iso: string | undefined,
  now: number = Date.now(),
): string | undefined {
  if (!iso) return undefined;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return sameDay
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString(undefined, {
        day: 'numeric',
        month: 'short',
        hour: '2-digit',
        minute: '2-digit',
      });
}

const ISO_TIMESTAMP =
  /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\b/g;

/** A message with every ISO timestamp in it written as local time. */
export function withLocalTimes(message: string, now: number = Date.now()) {
  return message.replace(ISO_TIMESTAMP, iso => localTime(iso, now) ?? iso);
}

/** `125` → `2 min 5 s`. */
export function duration(seconds: number | undefined): string | undefined {
  if (seconds === undefined) return undefined;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}

/** `user:default/ada` → `ada`; the engine's own actor is named as such. */
export function displayActor(ref: string | undefined): string {
  if (!ref) return 'unknown';
  if (ref === 'slipway') return 'Slipway (automatic)';
  const match = /^[^:]+:(?:[^/]+\/)?(.+)$/.exec(ref);
  return match ? match[1] : ref;
}

/** How far ahead `iso` is: "in 25 minutes", "in 3 hours", "now". */
export function untilTime(iso: string | undefined, now: number): string {
  if (!iso) return 'at an unknown time';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return 'at an unknown time';
  const seconds = Math.round((then - now) / 1000);
  if (seconds <= 0) return 'now';
  if (seconds < 60) return `in ${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `in ${minutes} ${plural(minutes, 'minute')}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `in ${hours} ${plural(hours, 'hour')}`;
  const days = Math.floor(hours / 24);
  return `in ${days} ${plural(days, 'day')}`;
}
