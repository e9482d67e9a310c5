import crypto from 'node:crypto';

/** Constant-time comparison of two strings of any length. */
export function safeEqual(a: string, b: string): boolean {
  // Hash first so lengths match and timingSafeEqual never throws.
  const left = crypto.createHash('sha256').update(a, 'utf8').digest();
  const right = crypto.createHash('sha256').update(b, 'utf8').digest();
  return crypto.timingSafeEqual(left, right) && a.length === b.length;
}

/** Checks GitHub's `X-Hub-Signature-256: sha256=<hex>` over the raw body. */
export function verifyGithubSignature(
  secret: string,
  body: Buffer,
  header: string | undefined,
): boolean {
  if (!secret || !header || !header.startsWith('sha256=')) return false;
  const expected = `sha256=${crypto
    .createHmac('sha256', secret)
    .update(body)
    .digest('hex')}`;
  return safeEqual(expected, header);
}

/** Checks a shared-secret header (Argo CD notifications, Harbor's auth header). */
export function verifySharedSecret(
  secret: string,
  header: string | undefined,
): boolean {
  if (!secret || !header) return false;
  const value = header.replace(/^Bearer\s+/i, '');
  return safeEqual(secret, value);
}
