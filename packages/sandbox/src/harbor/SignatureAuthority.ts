import { createHash, KeyObject, sign as signBytes } from 'node:crypto';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509';
import { HarborArtifactRecord } from './HarborRegistry';

/** The OIDC issuer the sandbox's CI identities come from (GitHub Actions'). */
export const SANDBOX_SIGNER_ISSUER =
  'https://token.actions.githubusercontent.com';

/** Fulcio's issuer extension (V2), a DER UTF8String (sigstore/fulcio docs/oid-info.md). */
const FULCIO_ISSUER_OID = '1.3.6.1.4.1.57264.1.8';

/** cosign's layer annotations (sigstore/cosign specs/SIGNATURE_SPEC.md). */
export const COSIGN_ANNOTATIONS = {
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
} as const;

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';

const ALGORITHM = {
  name: 'ECDSA',
  namedCurve: 'P-256',
  hash: 'SHA-256',
} as const;

/**
 * The identity the sandbox's CI signs with: the GitHub Actions workflow of
 * the image's source repository (`.github/workflows/ci.yaml` on `main`, as
 * the seeded repositories lay it out), in the form Fulcio writes into the
 * certificate's SAN.
 */
export function sandboxSignerIdentity(owner: string, repo: string): string {
  return `https://github.com/${owner}/${repo}/.github/workflows/ci.yaml@refs/heads/main`;
}

function derUtf8(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length >= 0x80) throw new Error('issuer too long for this helper');
  return Buffer.concat([Buffer.from([0x0c, bytes.length]), bytes]);
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * The sandbox's "Fulcio": a self-signed CA made when the sandbox starts, and
 * per signed artifact a short-lived leaf naming the CI workflow identity and
 * the issuer, with a real ECDSA signature over cosign's simple-signing
 * payload. Key material is new at every start; identities and issuer are
 * deterministic. The manifest of an artifact is made once, when first asked.
 */
export class SignatureAuthority {
  private readonly manifests = new Map<string, Promise<Buffer>>();

  private constructor(
    private readonly keys: CryptoKeyPair,
    readonly certificate: X509Certificate,
    private readonly registryHost: string,
  ) {}

  static async create(options: {
    registryHost: string;
  }): Promise<SignatureAuthority> {
    const keys = await crypto.subtle.generateKey(ALGORITHM, false, [
      'sign',
      'verify',
    ]);
    const now = Date.now();
    const certificate = await X509CertificateGenerator.createSelfSigned({
      serialNumber: createHash('sha256')
        .update(String(now))
        .digest('hex')
        .slice(0, 16),
      name: 'CN=sandbox Fulcio, O=sandbox.slipway.invalid',
      notBefore: new Date(Date.UTC(2020, 0, 1)),
      notAfter: new Date(now + 10 * 365 * 86_400_000),
      keys,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new BasicConstraintsExtension(true, 1, true),
        new KeyUsagesExtension(
          KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign,
          true,
        ),
      ],
    });
    return new SignatureAuthority(keys, certificate, options.registryHost);
  }

  /** The CA certificate (PEM), for tests and for a configured signature root. */
  get caPem(): string {
    return this.certificate.toString('pem');
  }

  /** The bytes of the cosign signature manifest of a signed artifact. */
  signatureManifest(artifact: HarborArtifactRecord): Promise<Buffer> {
    const signature = artifact.signature;
    if (!signature) throw new Error(`${artifact.digest} is not signed`);
    let manifest = this.manifests.get(signature.digest);
    if (!manifest) {
      manifest = this.makeManifest(artifact, signature.creationTime);
      // A failed attempt is not remembered.
      manifest.catch(() => this.manifests.delete(signature.digest));
      this.manifests.set(signature.digest, manifest);
    }
    return manifest;
  }

  private async makeManifest(
    artifact: HarborArtifactRecord,
    signedAt: string,
  ): Promise<Buffer> {
    const keys = await crypto.subtle.generateKey(ALGORITHM, false, [
      'sign',
      'verify',
    ]);
    const at = Date.parse(signedAt);
    const leaf = await X509CertificateGenerator.create({
      serialNumber: createHash('sha256')
        .update(`leaf:${artifact.digest}:${Date.now()}`)
        .digest('hex')
        .slice(0, 16),
      // Fulcio leaves have an empty subject; who signed is in the SAN.
      subject: '',
      issuer: this.certificate.subject,
      notBefore: new Date(at - 60_000),
      notAfter: new Date(at + 10 * 60_000),
      publicKey: keys.publicKey,
      signingKey: this.keys.privateKey,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
        new ExtendedKeyUsageExtension([ExtendedKeyUsage.codeSigning]),
        new SubjectAlternativeNameExtension(
          [
            {
              type: 'url',
              value: sandboxSignerIdentity(
                artifact.project,
                artifact.repository,
              ),
            },
          ],
          true,
        ),
        new Extension(FULCIO_ISSUER_OID, false, derUtf8(SANDBOX_SIGNER_ISSUER)),
      ],
    });
    const payload = Buffer.from(
      JSON.stringify({
        critical: {
          identity: {
            'docker-reference': `${this.registryHost}/${artifact.project}/${artifact.repository}`,
          },
          image: { 'docker-manifest-digest': artifact.digest },
          type: 'cosign container image signature',
        },
        optional: null,
      }),
    );
    const signature = signBytes('sha256', payload, {
      key: KeyObject.from(keys.privateKey),
      dsaEncoding: 'der',
    });
    const config = Buffer.from(
      JSON.stringify({
        architecture: '',
        config: {},
        created: '0001-01-01T00:00:00Z',
        history: [{ created: '0001-01-01T00:00:00Z' }],
        os: '',
        rootfs: { type: 'layers', diff_ids: [sha256(payload)] },
      }),
    );
    return Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: {
          mediaType: OCI_CONFIG,
          size: config.length,
          digest: sha256(config),
        },
        layers: [
          {
            mediaType: SIMPLE_SIGNING,
            size: payload.length,
            digest: sha256(payload),
            annotations: {
              [COSIGN_ANNOTATIONS.signature]: signature.toString('base64'),
              [COSIGN_ANNOTATIONS.certificate]: leaf.toString('pem'),
              [COSIGN_ANNOTATIONS.chain]: this.caPem,
            },
          },
        ],
      }),
    );
  }
}
