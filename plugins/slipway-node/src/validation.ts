import { InputError } from '@backstage/errors';
import { normalizeHttpUrl } from '@slipway/plugin-slipway-common';

const DNS_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
const HTTP_PATH = /^\/[A-Za-z0-9/_.-]{0,200}$/;

/** True for a DNS-1123 subdomain (host names, Kubernetes object names). @public */
export function isDnsSubdomain(value: string): boolean {
  return DNS_SUBDOMAIN.test(value);
}

/** Throws InputError unless the value is a DNS-1123 subdomain. @public */
export function assertDnsSubdomain(value: string, what: string): string {
  if (!isDnsSubdomain(value)) {
    throw new InputError(
      `Invalid ${what} ${JSON.stringify(
        value.slice(0, 80),
      )}: must be a DNS-1123 subdomain`,
    );
  }
  return value;
}

/** Throws InputError unless the value is a Kubernetes quantity like 200m or 512Mi. @public */
export function assertQuantity(value: string, what: string): string {
  if (!QUANTITY.test(value)) {
    throw new InputError(
      `Invalid ${what} ${JSON.stringify(
        value.slice(0, 40),
      )}: must be a quantity like 200m, 1, 512Mi or 1Gi`,
    );
  }
  return value;
}

/** Throws InputError unless the value is an absolute HTTP path of safe characters. @public */
export function assertHttpPath(value: string, what: string): string {
  if (!HTTP_PATH.test(value)) {
    throw new InputError(
      `Invalid ${what} ${JSON.stringify(
        value.slice(0, 80),
      )}: must be an absolute path of letters, digits and / _ . -`,
    );
  }
  return value;
}

/** Throws InputError unless the value is an integer in [min, max]. @public */
export function assertIntegerInRange(
  value: number,
  min: number,
  max: number,
  what: string,
): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InputError(
      `Invalid ${what} ${value}: must be an integer from ${min} to ${max}`,
    );
  }
  return value;
}

/**
 * Checks a git repository URL and returns it normalised: http(s) URLs
 * through {@link normalizeHttpUrl} (lower-case host, no default port, no
 * trailing slash; dot segments, encoded slashes, credentials, queries and
 * fragments refused), ssh URLs checked for control characters and a
 * password. Compare and write the returned value, never the input.
 *
 * @public
 */
export function assertRepositoryUrl(
  value: string,
  what = 'repository URL',
): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f\u2028\u2029]/.test(value)) {
    throw new InputError(`Invalid ${what}: whitespace or control characters`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(`Invalid ${what}: not a URL`);
  }
  if (url.protocol === 'ssh:') {
    if (url.password) {
      throw new InputError(`Invalid ${what}: must not carry credentials`);
    }
    // The raw path: the URL parser has already resolved dot segments away.
    const rawPath = value.slice('ssh://'.length).replace(/^[^/]*/, '');
    if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(rawPath)) {
      throw new InputError(
        `Invalid ${what}: must not contain "." or ".." segments`,
      );
    }
    return value;
  }
  if (!['https:', 'http:'].includes(url.protocol)) {
    throw new InputError(`Invalid ${what}: must be an http(s) or ssh URL`);
  }
  return normalizeHttpUrl(value, what);
}

/**
 * Matches a value against a glob where `*` stands for any run of characters
 * and every other character is literal. Linear-time (no regular expression),
 * so an admin pattern cannot cause catastrophic backtracking.
 *
 * @public
 */
export function matchesGlob(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let mark = 0;
  while (v < value.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === value[v]) {
      p++;
      v++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = v;
    } else if (star !== -1) {
      p = star + 1;
      v = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
