import { signerOfCertificate } from './signerOfCertificate';
import { derUtf8, testCertificate } from './__testUtils__/testCertificates';

// Generates ECDSA keys and certificates; generous on a loaded machine.
jest.setTimeout(30_000);

const WORKFLOW =
  'https://github.com/acme/payments-api/.github/workflows/ci.yaml@refs/heads/main';
const GITHUB = 'https://token.actions.githubusercontent.com';

describe('signerOfCertificate', () => {
  it('reads a workflow identity (URI SAN) and the issuer from 1.3.6.1.4.1.57264.1.8', async () => {
    const pem = await testCertificate({
      san: [{ type: 'url', value: WORKFLOW }],
      issuerV2: GITHUB,
    });
    expect(signerOfCertificate(pem)).toEqual({
      identity: WORKFLOW,
      issuer: GITHUB,
    });
  });

  it('reads an email SAN (a person signing with cosign)', async () => {
    const pem = await testCertificate({
      san: [{ type: 'email', value: 'jane@acme.example' }],
      issuerV2: 'https://accounts.google.com',
    });
    expect(signerOfCertificate(pem)).toEqual({
      identity: 'jane@acme.example',
      issuer: 'https://accounts.google.com',
    });
  });

  it('prefers the URI over an email when a certificate carries both', async () => {
    const pem = await testCertificate({
      san: [
        { type: 'email', value: 'jane@acme.example' },
        { type: 'url', value: WORKFLOW },
      ],
      issuerV2: GITHUB,
    });
    expect(signerOfCertificate(pem)?.identity).toBe(WORKFLOW);
  });

  it('falls back to the deprecated raw issuer 1.3.6.1.4.1.57264.1.1', async () => {
    const pem = await testCertificate({
      san: [{ type: 'url', value: WORKFLOW }],
      issuerV1: GITHUB,
    });
    expect(signerOfCertificate(pem)).toEqual({
      identity: WORKFLOW,
      issuer: GITHUB,
    });
  });

  it('takes the V2 issuer when both are present', async () => {
    const pem = await testCertificate({
      san: [{ type: 'url', value: WORKFLOW }],
      issuerV1: 'https://old.example',
      issuerV2: GITHUB,
    });
    expect(signerOfCertificate(pem)?.issuer).toBe(GITHUB);
  });

  it('reads a long issuer (DER long-form length)', async () => {
    const issuer = `https://issuer.example/${'x'.repeat(200)}`;
    const pem = await testCertificate({
      san: [{ type: 'url', value: WORKFLOW }],
      issuerV2: issuer,
    });
    expect(signerOfCertificate(pem)?.issuer).toBe(issuer);
  });

  it('gives no signer for a certificate without the issuer extension', async () => {
    const pem = await testCertificate({
      san: [{ type: 'url', value: WORKFLOW }],
    });
    expect(signerOfCertificate(pem)).toBeUndefined();
  });

  it('gives no signer for a certificate without a URI or email SAN', async () => {
    expect(
      signerOfCertificate(await testCertificate({ issuerV2: GITHUB })),
    ).toBeUndefined();
    expect(
      signerOfCertificate(
        await testCertificate({
          san: [{ type: 'dns', value: 'ci.acme.example' }],
          issuerV2: GITHUB,
        }),
      ),
    ).toBeUndefined();
  });

  it('rejects an issuer extension that is not one DER UTF8String', async () => {
    // IA5String (0x16) instead of UTF8String.
    const ia5 = Buffer.from(derUtf8(GITHUB));
    ia5[0] = 0x16;
    // Trailing bytes after the string.
    const trailing = Buffer.concat([derUtf8(GITHUB), Buffer.from([0])]);
    // Invalid UTF-8 inside.
    const badUtf8 = Buffer.from([0x0c, 0x02, 0xc3, 0x28]);
    for (const issuerV2 of [ia5, trailing, badUtf8]) {
      const pem = await testCertificate({
        san: [{ type: 'url', value: WORKFLOW }],
        issuerV2,
      });
      expect(signerOfCertificate(pem)).toBeUndefined();
    }
  });

  it('rejects an identity with control characters', async () => {
    const pem = await testCertificate({
      san: [{ type: 'email', value: 'jane@acme.example\nrole=admin' }],
      issuerV2: GITHUB,
    });
    expect(signerOfCertificate(pem)).toBeUndefined();
  });

  it('gives no signer for malformed PEM, several certificates or too much text', async () => {
    const good = await testCertificate({
      san: [{ type: 'url', value: WORKFLOW }],
      issuerV2: GITHUB,
    });
    for (const pem of [
      '',
      'not a certificate',
      '-----BEGIN CERTIFICATE-----\nbm90IGRlcg==\n-----END CERTIFICATE-----\n',
      '-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----\n',
      good.replace(/[A-Za-z]{8}\n/, '\n'),
      `${good}\n${good}`,
      `${good}${' '.repeat(20_000)}`,
      undefined as unknown as string,
    ]) {
      expect(signerOfCertificate(pem)).toBeUndefined();
    }
  });
});
