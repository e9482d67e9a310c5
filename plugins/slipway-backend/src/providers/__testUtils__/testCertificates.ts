import {
  BasicConstraintsExtension,
  Extension,
  GeneralNameType,
  SubjectAlternativeNameExtension,
  X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509';

const ALGORITHM = {
  name: 'ECDSA',
  namedCurve: 'P-256',
  hash: 'SHA-256',
} as const;

/** DER UTF8String (tag 0x0C) with short or long length form. */
export function derUtf8(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length < 0x80) {
    return Buffer.concat([Buffer.from([0x0c, bytes.length]), bytes]);
  }
  const length: number[] = [];
  for (let n = bytes.length; n > 0; n = Math.floor(n / 256)) {
    length.unshift(n % 256);
  }
  return Buffer.concat([
    Buffer.from([0x0c, 0x80 | length.length, ...length]),
    bytes,
  ]);
}

let authority:
  | Promise<{ certificate: X509Certificate; keys: CryptoKeyPair }>
  | undefined;

function testAuthority() {
  authority ??= (async () => {
    const keys = await crypto.subtle.generateKey(ALGORITHM, false, [
      'sign',
      'verify',
    ]);
    const certificate = await X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: 'CN=test fulcio, O=slipway.invalid',
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 3_600_000),
      keys,
      signingAlgorithm: ALGORITHM,
      extensions: [new BasicConstraintsExtension(true, 0, true)],
    });
    return { certificate, keys };
  })();
  return authority;
}

/** A Fulcio-like leaf certificate (PEM) with the given SANs and extensions. */
export async function testCertificate(options: {
  san?: Array<{ type: GeneralNameType; value: string }>;
  /** Issuer (V2, 1.3.6.1.4.1.57264.1.8) as DER UTF8String, or raw bytes as given. */
  issuerV2?: string | Buffer;
  /** Issuer (V1, 1.3.6.1.4.1.57264.1.1), raw. */
  issuerV1?: string;
}): Promise<string> {
  const ca = await testAuthority();
  const keys = await crypto.subtle.generateKey(ALGORITHM, false, [
    'sign',
    'verify',
  ]);
  const extensions: Extension[] = [];
  if (options.san) {
    extensions.push(new SubjectAlternativeNameExtension(options.san, true));
  }
  if (options.issuerV1 !== undefined) {
    extensions.push(
      new Extension(
        '1.3.6.1.4.1.57264.1.1',
        false,
        Buffer.from(options.issuerV1, 'utf8'),
      ),
    );
  }
  if (options.issuerV2 !== undefined) {
    extensions.push(
      new Extension(
        '1.3.6.1.4.1.57264.1.8',
        false,
        typeof options.issuerV2 === 'string'
          ? derUtf8(options.issuerV2)
          : options.issuerV2,
      ),
    );
  }
  const leaf = await X509CertificateGenerator.create({
    serialNumber: '02',
    subject: '',
    issuer: ca.certificate.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 600_000),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions,
  });
  return leaf.toString('pem');
}
