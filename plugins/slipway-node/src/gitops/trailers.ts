import { InputError } from '@backstage/errors';

/** A commit trailer, `key: value` on a line of its own. @public */
export interface GitTrailer {
  key: string;
  value: string;
}

const TRAILER_KEY = /^[A-Za-z][A-Za-z0-9-]{0,62}$/;
// Commas list several values (`Slipway-Approved-By: user:default/a,user:default/b`);
// nothing here can end the line or start another trailer.
const TRAILER_VALUE = /^[A-Za-z0-9._:/@+,-]{1,1000}$/;

/** True when a commit message carries the trailer `key: value` on a line of its own. @public */
export function hasTrailer(
  message: string,
  key: string,
  value: string,
): boolean {
  return message.split('\n').some(line => line.trim() === `${key}: ${value}`);
}

/** Refuses trailer keys and values that could break out of their line. */
export function assertTrailer(key: string, value: string): void {
  if (!TRAILER_KEY.test(key) || !TRAILER_VALUE.test(value)) {
    throw new InputError(
      `Invalid commit trailer ${JSON.stringify(key.slice(0, 64))}`,
    );
  }
}

/** The message with its trailers appended as the last paragraph. */
export function withTrailers(
  message: string,
  trailers: Record<string, string>,
): string {
  return `${message.trim()}\n\n${Object.entries(trailers)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n')}\n`;
}
