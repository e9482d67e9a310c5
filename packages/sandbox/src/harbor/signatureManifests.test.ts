import {
  SubjectAlternativeNameExtension,
  X509Certificate,
} from '@peculiar/x509';
import { ociValidator } from '@slipway/vendor-schemas';
import {
  getJson,
  HARBOR,
  startTestSandbox,
  TestSandbox,
} from '../__testUtils__/sandboxHarness';
import {
  COSIGN_ANNOTATIONS,
  SANDBOX_SIGNER_ISSUER,
  sandboxSignerIdentity,
} from './SignatureAuthority';

// Integration test: starts the sandbox (servers, git) on a loaded 2-core machine.
jest.setTimeout(90_000);

describe('Harbor registry API: cosign signature manifests', () => {
  let sandbox: TestSandbox;
  let harbor: string;
  let signed: { digest: string; signature: string };

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    harbor = sandbox.sandbox.urls.harbor;
    const artifacts = await getJson(
      `${harbor}/api/v2.0/projects/acme/repositories/payments-api/artifacts?with_accessory=true&page_size=50`,
      HARBOR,
    );
    const artifact = artifacts.find((a: any) => a.accessories?.length);
    signed = {
      digest: artifact.digest,
      signature: artifact.accessories[0].digest,
    };
  }, 90_000);
  afterAll(() => sandbox.close());

  const manifestUrl = (digest: string, repository = 'acme/payments-api') =>
    `${harbor}/v2/${repository}/manifests/${digest}`;

  it('serves an OCI manifest whose layer carries a Fulcio-style certificate for the CI identity', async () => {
    const response = await fetch(manifestUrl(signed.signature), {
      headers: {
        ...HARBOR,
        accept: 'application/vnd.oci.image.manifest.v1+json',
      },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(
      'application/vnd.oci.image.manifest.v1+json',
    );
    expect(response.headers.get('docker-content-digest')).toBe(
      signed.signature,
    );
    const manifest = await response.json();
    expect(ociValidator().errors('ImageManifest', manifest)).toEqual([]);
    expect(manifest.layers).toHaveLength(1);
    const annotations = manifest.layers[0].annotations;
    expect(annotations[COSIGN_ANNOTATIONS.signature]).toMatch(
      /^[A-Za-z0-9+/]+=*$/,
    );
    const leaf = new X509Certificate(
      annotations[COSIGN_ANNOTATIONS.certificate],
    );
    const san = leaf.getExtension(SubjectAlternativeNameExtension)!;
    expect(san.names.items.map(n => [n.type, n.value])).toEqual([
      ['url', sandboxSignerIdentity('acme', 'payments-api')],
    ]);
    const issuer = Buffer.from(
      leaf.getExtension('1.3.6.1.4.1.57264.1.8')!.value,
    );
    // DER UTF8String: tag 0x0C, length, the issuer URL.
    expect(issuer[0]).toBe(0x0c);
    expect(issuer.subarray(2).toString('utf8')).toBe(SANDBOX_SIGNER_ISSUER);
    // The leaf chains to the sandbox CA in the chain annotation.
    const ca = new X509Certificate(annotations[COSIGN_ANNOTATIONS.chain]);
    expect(
      await leaf.verify({ publicKey: ca.publicKey, signatureOnly: true }),
    ).toBe(true);
    // Asked again: the same manifest (made once per signature).
    const again = await getJson(manifestUrl(signed.signature), HARBOR);
    expect(again).toEqual(manifest);
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await fetch(manifestUrl(signed.signature), {
      method: 'HEAD',
      headers: HARBOR,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-content-digest')).toBe(
      signed.signature,
    );
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await response.text()).toBe('');
  });

  it('wants Harbor’s credentials', async () => {
    for (const headers of [
      {} as Record<string, string>,
      {
        Authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}`,
      },
    ]) {
      const response = await fetch(manifestUrl(signed.signature), { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Basic');
      expect((await response.json()).errors[0].code).toBe('UNAUTHORIZED');
    }
  });

  it('knows only signature manifests, in their own repository', async () => {
    for (const url of [
      manifestUrl(`sha256:${'0'.repeat(64)}`),
      manifestUrl(signed.digest),
      manifestUrl('latest'),
      manifestUrl(signed.signature, 'acme/checkout-web'),
    ]) {
      const response = await fetch(url, { headers: HARBOR });
      expect(response.status).toBe(404);
      expect((await response.json()).errors[0].code).toBe('MANIFEST_UNKNOWN');
    }
  });

  it('takes Harbor’s injected faults', async () => {
    sandbox.sandbox.faults.setRules([
      { vendor: 'harbor', pathPrefix: '/v2/', mode: 'error', times: 1 },
    ]);
    try {
      const failed = await fetch(manifestUrl(signed.signature), {
        headers: HARBOR,
      });
      expect(failed.status).toBe(503);
      const next = await fetch(manifestUrl(signed.signature), {
        headers: HARBOR,
      });
      expect(next.status).toBe(200);
    } finally {
      sandbox.sandbox.faults.clear();
    }
  });
});
