import crypto from 'node:crypto';
import {
  safeEqual,
  verifyGithubSignature,
  verifySharedSecret,
} from './verifyWebhook';

const secret = 'webhook-secret';
const body = Buffer.from('{"ref":"refs/heads/main"}');

function githubSignature(key: string, payload: Buffer) {
  return `sha256=${crypto
    .createHmac('sha256', key)
    .update(payload)
    .digest('hex')}`;
}

describe('safeEqual', () => {
  it('is true only for identical strings', () => {
    expect(safeEqual('secret', 'secret')).toBe(true);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual('secret', 'secreT')).toBe(false);
    expect(safeEqual('secret', 'secret ')).toBe(false);
    expect(safeEqual('secret', 'secre')).toBe(false);
    expect(safeEqual('', 'secret')).toBe(false);
  });
});

describe('verifyGithubSignature (X-Hub-Signature-256)', () => {
  it('accepts the HMAC of the raw body under the secret', () => {
    expect(
      verifyGithubSignature(secret, body, githubSignature(secret, body)),
    ).toBe(true);
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['a signature under another secret', githubSignature('other', body)],
    [
      'a signature of another body',
      githubSignature(secret, Buffer.from('{"ref":"refs/heads/evil"}')),
    ],
    [
      'the bare hex digest without its prefix',
      githubSignature(secret, body).slice(7),
    ],
    [
      'an upper-case prefix',
      `SHA256=${githubSignature(secret, body).slice(7)}`,
    ],
    [
      'a SHA-1 signature (X-Hub-Signature)',
      `sha1=${crypto.createHmac('sha1', secret).update(body).digest('hex')}`,
    ],
    ['a truncated signature', githubSignature(secret, body).slice(0, -1)],
    ['a padded signature', `${githubSignature(secret, body)}0`],
    ['only the prefix', 'sha256='],
  ])('refuses %s', (_, header) => {
    expect(verifyGithubSignature(secret, body, header)).toBe(false);
  });

  it('refuses everything when no secret is configured, even a matching signature', () => {
    expect(verifyGithubSignature('', body, githubSignature('', body))).toBe(
      false,
    );
  });
});

describe('verifySharedSecret (Argo CD notifications, Harbor)', () => {
  it.each([
    ['the bare secret', secret],
    ['a bearer token', `Bearer ${secret}`],
    ['a lower-case bearer with several spaces', `bearer   ${secret}`],
    ['a bearer with a tab', `BEARER\t${secret}`],
  ])('accepts %s', (_, header) => {
    expect(verifySharedSecret(secret, header)).toBe(true);
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['another secret', 'other-secret'],
    ['the secret with a suffix', `${secret}x`],
    ['the secret with a prefix', `x${secret}`],
    ['a bearer without a space', `Bearer${secret}`],
    ['a bearer not at the start', `xBearer ${secret}`],
    ['only the bearer prefix', 'Bearer '],
  ])('refuses %s', (_, header) => {
    expect(verifySharedSecret(secret, header)).toBe(false);
  });

  it('strips "Bearer" only as a prefix, never from the middle of a value', () => {
    expect(verifySharedSecret('token-value', 'tokenBearer -value')).toBe(false);
  });

  it('refuses everything when no secret is configured', () => {
    expect(verifySharedSecret('', '')).toBe(false);
    expect(verifySharedSecret('', 'Bearer ')).toBe(false);
    expect(verifySharedSecret('', 'anything')).toBe(false);
  });
});
