import { InputError } from '@backstage/errors';
import { boundedMemo } from './boundedMemo';

// Control characters, whitespace, DEL, backslash and unicode line separators.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0020\u007f\\\u2028\u2029]/;
const DOT_SEGMENT = /(^|\/)\.{1,2}(\/|$)/;

/**
 * URLs already accepted, and their normal form: the same few GitOps and
 * Argo CD URLs are checked once per entity (10,000 times for a fleet).
 * Bounded; only accepted URLs are kept (a refusal names `what`).
 */
const accepted = boundedMemo<string>(256);

/**
 * Parses and normalises an http(s) URL before it is compared with an
 * allowlist or written into a manifest (THREATS 35): host in lower case,
 * default port and trailing slashes dropped. Refuses what would change
 * meaning under normalisation or hide it: dot segments (also
 * percent-encoded), encoded slashes or backslashes, user info
 * (credentials), query strings and fragments, whitespace and control
 * characters.
 *
 * @public
 */
export function normalizeHttpUrl(value: string, what = 'URL'): string {
  return accepted(value, () => parseHttpUrl(value, what));
}

function parseHttpUrl(value: string, what: string): string {
  if (typeof value !== 'string' || value.length > 2048 || UNSAFE.test(value)) {
    throw new InputError(
      `Invalid ${what}: whitespace, control characters or backslashes`,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(`Invalid ${what}: not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(`Invalid ${what}: must be an http(s) URL`);
  }
  if (url.username || url.password || /@/.test(value.split('/')[2] ?? '')) {
    throw new InputError(`Invalid ${what}: must not carry credentials`);
  }
  if (value.includes('?') || value.includes('#')) {
    throw new InputError(`Invalid ${what}: must not have a query or fragment`);
  }
  // The raw path, before WHATWG parsing resolved dot segments away.
  const rawPath = value.slice(value.indexOf('//') + 2).replace(/^[^/]*/, '');
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw new InputError(`Invalid ${what}: malformed percent-encoding`);
  }
  if (/%2f|%5c/i.test(rawPath) || UNSAFE.test(decoded)) {
    throw new InputError(
      `Invalid ${what}: encoded slashes or control characters`,
    );
  }
  if (DOT_SEGMENT.test(rawPath) || DOT_SEGMENT.test(decoded)) {
    throw new InputError(
      `Invalid ${what}: must not contain "." or ".." segments`,
    );
  }
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host.toLowerCase()}${path}`;
}
