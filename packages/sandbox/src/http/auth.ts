import { createHash, timingSafeEqual } from 'node:crypto';
import { IncomingHttpHeaders } from 'node:http';

/** Constant-time comparison of a presented secret against the accepted ones. */
export function matchesSecret(
  presented: string | undefined,
  accepted: string[],
): boolean {
  if (!presented) {
    return false;
  }
  const presentedHash = createHash('sha256').update(presented).digest();
  let match = false;
  for (const secret of accepted) {
    const hash = createHash('sha256').update(secret).digest();
    if (timingSafeEqual(presentedHash, hash)) {
      match = true;
    }
  }
  return match;
}

export interface BasicCredentials {
  username: string;
  password: string;
}

export function parseBasic(
  headers: IncomingHttpHeaders,
): BasicCredentials | undefined {
  const header = headers.authorization;
  const match = header
    ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)
    : undefined;
  if (!match) {
    return undefined;
  }
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) {
    return { username: decoded, password: '' };
  }
  return {
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1),
  };
}

/** The token of `Authorization: token X` or `Authorization: Bearer X`. */
export function parseToken(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.authorization;
  const match = header
    ? /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header)
    : undefined;
  return match ? match[1] : undefined;
}
