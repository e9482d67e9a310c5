import fs from 'node:fs';
import path from 'node:path';
import {
  COSIGN_CERTIFICATE_ANNOTATION,
  HarborProvider,
  MAX_SIGNATURES,
  MAX_SIGNATURE_MANIFEST_BYTES,
  signersOfManifest,
} from './HarborProvider';
import { testCertificate } from './__testUtils__/testCertificates';

// Generates ECDSA keys and certificates; generous on a loaded machine.
jest.setTimeout(30_000);

const WORKFLOW =
  'https://github.com/acme/payments-api/.github/workflows/ci.yaml@refs/heads/main';
const GITHUB = 'https://token.actions.githubusercontent.com';
const BASIC = `Basic ${Buffer.from('robot:pw').toString('base64')}`;

/** The single-arch, signed artifact of the Harbor fixture. */
function signedArtifact(): any {
  const all = JSON.parse(
    fs.readFileSync(
      path.join(__dirname, '__fixtures__', 'harbor-artifacts.json'),
      'utf8',
    ),
  );
  return all.find(
    (a: any) => !a.references?.length && a.accessories?.length === 1,
  );
}

function signatureManifest(layers: Array<Record<string, string>>) {
  return {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      size: 233,
      digest: `sha256:${'1'.repeat(64)}`,
    },
    layers: layers.map((annotations, i) => ({
      mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
      size: 250,
      digest: `sha256:${String(i).repeat(64)}`,
      annotations: {
        'dev.cosignproject.cosign/signature': 'MEUCIQ==',
        ...annotations,
      },
    })),
  };
}

type Route = (
  init: RequestInit & { headers: Record<string, string> },
) => Response | Promise<Response>;

/** A fetch answering from path → handler, recording every request. */
function fakeFetch(routes: Record<string, Route>) {
  const requests: { path: string; headers: Record<string, string> }[] = [];
  const fetch = (async (url: string, init: any) => {
    const pathname = decodeURIComponent(new URL(url).pathname);
    requests.push({ path: pathname, headers: init?.headers ?? {} });
    const route = routes[pathname];
    if (!route) return new Response('{"errors":[]}', { status: 404 });
    return route(init);
  }) as unknown as typeof globalThis.fetch;
  return { fetch, requests };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });

function setup(
  artifact: any,
  manifestRoute: Route | undefined,
  extra: Record<string, Route> = {},
) {
  const signatureDigest = artifact.accessories?.[0]?.digest;
  const routes: Record<string, Route> = {
    [`/api/v2.0/projects/acme/repositories/payments-api/artifacts/${artifact.digest}`]:
      () => json(artifact),
    ...extra,
  };
  if (manifestRoute && signatureDigest) {
    routes[`/v2/acme/payments-api/manifests/${signatureDigest}`] =
      manifestRoute;
  }
  const { fetch, requests } = fakeFetch(routes);
  const provider = HarborProvider.create({
    url: 'https://harbor.example.com',
    username: 'robot',
    password: 'pw',
    fetch,
  });
  const read = (signal: AbortSignal = AbortSignal.timeout(10_000)) =>
    provider.getArtifact(
      {
        repositorySlug: 'acme/payments-api',
        image: {
          repository: 'harbor.example.com/acme/payments-api',
          digest: artifact.digest,
        },
      },
      { signal },
    );
  return { read, requests, provider };
}

describe('HarborProvider signers', () => {
  let keyless: string;
  beforeAll(async () => {
    keyless = await testCertificate({
      san: [{ type: 'url', value: WORKFLOW }],
      issuerV2: GITHUB,
    });
  });

  it('reads who signed from the certificates of the cosign signature manifest', async () => {
    const manifest = signatureManifest([
      { [COSIGN_CERTIFICATE_ANNOTATION]: keyless },
      // A key-based signature names nobody; a duplicate is listed once.
      {},
      { [COSIGN_CERTIFICATE_ANNOTATION]: keyless },
    ]);
    const { read, requests } = setup(signedArtifact(), () => json(manifest));
    const artifact = await read();
    expect(artifact?.signature).toEqual({
      signed: true,
      count: 1,
      signers: [{ identity: WORKFLOW, issuer: GITHUB }],
    });
    const manifestRequest = requests.find(r => r.path.startsWith('/v2/'))!;
    expect(manifestRequest.headers.accept).toContain(
      'application/vnd.oci.image.manifest.v1+json',
    );
    expect(manifestRequest.headers.authorization).toBe(BASIC);
  });

  it('an unsigned artifact has no signers, read without a registry call', async () => {
    const artifact = { ...signedArtifact(), accessories: [] };
    const { read, requests } = setup(artifact, undefined);
    expect((await read())?.signature).toEqual({
      signed: false,
      count: 0,
      signers: [],
    });
    expect(requests.filter(r => r.path.startsWith('/v2/'))).toEqual([]);
  });

  it.each([
    ['the manifest is missing (404)', () => json({ errors: [] }, 404)],
    ['the registry fails (500)', () => json({ errors: [] }, 500)],
    ['the registry refuses the credentials (403)', () => json({}, 403)],
    ['the manifest is not JSON', () => new Response('<html>')],
    [
      'the manifest is larger than 256 KiB',
      () =>
        json(
          signatureManifest([
            { filler: 'x'.repeat(MAX_SIGNATURE_MANIFEST_BYTES) },
          ]),
        ),
    ],
    [
      'no signature names a signer (key-based cosign)',
      () => json(signatureManifest([{}])),
    ],
    [
      'the certificate is malformed',
      () =>
        json(
          signatureManifest([
            {
              [COSIGN_CERTIFICATE_ANNOTATION]:
                '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
            },
          ]),
        ),
    ],
  ])(
    'signers are unknown (undefined, never []) when %s',
    async (_name, route) => {
      const { read } = setup(signedArtifact(), route as Route);
      const artifact = await read();
      // The artifact itself is still read; only who signed is unknown.
      expect(artifact?.image.digest).toBe(signedArtifact().digest);
      expect(artifact?.signature).toEqual({ signed: true, count: 1 });
    },
  );

  it('signers are unknown when the manifest does not come within the time budget', async () => {
    const hang: Route = init =>
      new Promise<Response>((_resolve, reject) => {
        init.signal?.addEventListener('abort', () =>
          reject(new DOMException('aborted', 'AbortError')),
        );
      });
    const { read } = setup(signedArtifact(), hang);
    const artifact = await read(AbortSignal.timeout(300));
    expect(artifact?.signature).toEqual({ signed: true, count: 1 });
  });

  it(`reads at most ${MAX_SIGNATURES} signatures; more make the signers unknown`, async () => {
    const base = signedArtifact();
    const accessories = Array.from({ length: MAX_SIGNATURES + 1 }, (_, i) => ({
      ...base.accessories[0],
      id: i + 1,
      digest: `sha256:${i.toString(16).padStart(64, 'a')}`,
    }));
    const { read, requests } = setup({ ...base, accessories }, undefined);
    expect((await read())?.signature).toEqual({
      signed: true,
      count: MAX_SIGNATURES + 1,
    });
    expect(requests.filter(r => r.path.startsWith('/v2/'))).toEqual([]);
  });

  it('asks Harbor’s token service for a pull token when the registry wants a bearer token', async () => {
    const manifest = signatureManifest([
      { [COSIGN_CERTIFICATE_ANNOTATION]: keyless },
    ]);
    const { read, requests } = setup(
      signedArtifact(),
      init =>
        init.headers.authorization === 'Bearer t0k3n'
          ? json(manifest)
          : json({ errors: [{ code: 'UNAUTHORIZED' }] }, 401),
      { '/service/token': () => json({ token: 't0k3n' }) },
    );
    expect((await read())?.signature?.signers).toEqual([
      { identity: WORKFLOW, issuer: GITHUB },
    ]);
    const token = requests.find(r => r.path === '/service/token')!;
    expect(token.headers.authorization).toBe(BASIC);
  });

  it('artifact lists do not read signature manifests (signers absent = not read)', async () => {
    const { fetch, requests } = fakeFetch({
      '/api/v2.0/projects/acme/repositories/payments-api/artifacts': () =>
        json([signedArtifact()]),
    });
    const provider = HarborProvider.create({
      url: 'https://harbor.example.com',
      username: 'robot',
      password: 'pw',
      fetch,
    });
    const [artifact] = await provider.listArtifacts(
      { repositorySlug: 'acme/payments-api', limit: 10 },
      { signal: AbortSignal.timeout(10_000) },
    );
    expect(artifact.signature).toEqual({ signed: true, count: 1 });
    expect(requests).toHaveLength(1);
  });

  it('signersOfManifest ignores what is not a manifest', () => {
    expect(signersOfManifest(undefined)).toEqual([]);
    expect(signersOfManifest({ layers: 'nope' })).toEqual([]);
    expect(
      signersOfManifest({
        layers: [null, { annotations: { [COSIGN_CERTIFICATE_ANNOTATION]: 1 } }],
      }),
    ).toEqual([]);
  });
});
