import {
  ArtifactState,
  ImageRef,
  ScanSummary,
  SignerIdentity,
} from '@slipway/plugin-slipway-common';
import {
  ArtifactProvider,
  fetchUpstreamJson,
  ProviderCallContext,
  UpstreamError,
} from '@slipway/plugin-slipway-node';
import { signerOfCertificate } from './signerOfCertificate';

/** Most signature accessories read per artifact; more makes the signers unknown. */
export const MAX_SIGNATURES = 8;
/** Largest signature manifest read (a cosign manifest with a certificate is a few KiB). */
export const MAX_SIGNATURE_MANIFEST_BYTES = 256 * 1024;
/** Most layers (signatures) looked at in one signature manifest. */
const MAX_SIGNATURE_LAYERS = 64;
/** cosign's layer annotation holding the Fulcio certificate (PEM). */
export const COSIGN_CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
const MANIFEST_ACCEPT =
  'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** The service name of Harbor's registry token service. */
const HARBOR_TOKEN_SERVICE = 'harbor-registry';

const SCAN_STATUSES: ScanSummary['status'][] = [
  'Success',
  'Pending',
  'Running',
  'Error',
  'NotScanned',
];
// Worse first: the summary of several manifests takes the worst status.
const STATUS_RANK: ScanSummary['status'][] = [
  'Error',
  'NotScanned',
  'Pending',
  'Running',
  'Success',
];

function scanOf(artifact: any): ScanSummary | undefined {
  const overview = artifact?.scan_overview;
  if (!overview || typeof overview !== 'object') return undefined;
  const report: any = Object.values(overview).find(
    v => v && typeof v === 'object',
  );
  if (!report) return undefined;
  const counts = report.summary?.summary ?? {};
  const n = (key: string) =>
    Number.isInteger(counts[key]) && counts[key] >= 0 ? counts[key] : 0;
  const rawStatus =
    report.scan_status === 'Scanning' ? 'Running' : report.scan_status;
  return {
    scanner:
      typeof report.scanner?.name === 'string'
        ? report.scanner.name
        : 'unknown',
    status: SCAN_STATUSES.includes(rawStatus) ? rawStatus : 'Error',
    critical: n('Critical'),
    high: n('High'),
    medium: n('Medium'),
    low: n('Low'),
    unknown: n('Unknown'),
    fixable: Number.isInteger(report.summary?.fixable)
      ? report.summary.fixable
      : undefined,
    completedAt:
      typeof report.end_time === 'string' ? report.end_time : undefined,
  };
}

/**
 * The worst over several scans (an index and its platform manifests): the
 * highest count per severity and the worst status. A manifest without a scan
 * makes the whole `NotScanned`.
 */
export function worstScan(
  scans: (ScanSummary | undefined)[],
): ScanSummary | undefined {
  if (scans.length === 0) return undefined;
  const present = scans.filter((s): s is ScanSummary => Boolean(s));
  if (present.length === 0) {
    return {
      scanner: 'unknown',
      status: 'NotScanned',
      critical: 0,
      high: 0,
      medium: 0,
      low: 0,
      unknown: 0,
    };
  }
  const worst: ScanSummary = { ...present[0] };
  for (const scan of present.slice(1)) {
    worst.critical = Math.max(worst.critical, scan.critical);
    worst.high = Math.max(worst.high, scan.high);
    worst.medium = Math.max(worst.medium, scan.medium);
    worst.low = Math.max(worst.low, scan.low);
    worst.unknown = Math.max(worst.unknown, scan.unknown);
    if (scan.fixable !== undefined)
      worst.fixable = Math.max(worst.fixable ?? 0, scan.fixable);
    if (STATUS_RANK.indexOf(scan.status) < STATUS_RANK.indexOf(worst.status))
      worst.status = scan.status;
    if (
      scan.completedAt &&
      (!worst.completedAt || scan.completedAt > worst.completedAt)
    ) {
      worst.completedAt = scan.completedAt;
    }
  }
  if (present.length < scans.length) worst.status = 'NotScanned';
  return worst;
}

function signatureAccessories(artifact: any): any[] {
  const accessories = Array.isArray(artifact?.accessories)
    ? artifact.accessories
    : [];
  return accessories.filter(
    (a: any) => typeof a?.type === 'string' && a.type.startsWith('signature.'),
  );
}

/**
 * The signers named by a cosign signature manifest: one per layer whose
 * `dev.sigstore.cosign/certificate` annotation holds a Fulcio certificate
 * with an identity and an issuer (key-based signatures name nobody).
 */
export function signersOfManifest(manifest: unknown): SignerIdentity[] {
  const layers = (manifest as any)?.layers;
  if (!Array.isArray(layers)) return [];
  const signers: SignerIdentity[] = [];
  for (const layer of layers.slice(0, MAX_SIGNATURE_LAYERS)) {
    const pem = layer?.annotations?.[COSIGN_CERTIFICATE_ANNOTATION];
    if (typeof pem !== 'string') continue;
    const signer = signerOfCertificate(pem);
    if (signer) signers.push(signer);
  }
  return signers;
}

function distinctSigners(signers: SignerIdentity[]): SignerIdentity[] {
  const seen = new Set<string>();
  return signers.filter(s => {
    const key = JSON.stringify([s.identity, s.issuer]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function childDigests(artifact: any): string[] {
  return (Array.isArray(artifact?.references) ? artifact.references : [])
    .map((r: any) => r?.child_digest)
    .filter((d: unknown): d is string => typeof d === 'string');
}

/**
 * Maps a Harbor artifact. `children` resolves the platform manifests of an
 * index (already fetched); a missing child counts as not scanned.
 */
function toArtifactState(
  artifact: any,
  options: {
    repository: string;
    children: (digest: string) => any;
    webUrl?: string;
    /** Who signed, when read; undefined = not read or not readable. */
    signers?: SignerIdentity[];
  },
): ArtifactState {
  if (
    !artifact ||
    typeof artifact !== 'object' ||
    typeof artifact.digest !== 'string'
  ) {
    throw new UpstreamError('Harbor answered an unexpected artifact', {
      kind: 'malformed',
    });
  }
  const tags: string[] = (Array.isArray(artifact.tags) ? artifact.tags : [])
    .map((t: any) => t?.name)
    .filter((t: unknown): t is string => typeof t === 'string');
  const digests = childDigests(artifact);
  const scans =
    digests.length > 0
      ? digests.map(d => scanOf(options.children(d)))
      : [scanOf(artifact)];
  if (digests.length > 0 && scanOf(artifact)) scans.push(scanOf(artifact));
  const signatures = signatureAccessories(artifact);
  const image: ImageRef = {
    repository: options.repository,
    digest: artifact.digest,
  };
  if (tags[0]) image.tag = tags[0];
  const revision = artifact.annotations?.['org.opencontainers.image.revision'];
  return {
    image,
    sourceCommit: typeof revision === 'string' ? revision : undefined,
    pushedAt:
      typeof artifact.push_time === 'string' ? artifact.push_time : undefined,
    scan: worstScan(scans),
    signature: {
      signed: signatures.length > 0,
      count: signatures.length,
      ...(options.signers ? { signers: options.signers } : {}),
    },
    url: options.webUrl,
  };
}

/**
 * Harbor v2.0: artifacts, scan overviews and cosign accessories; for one
 * artifact read by reference, also who signed it (the certificates in its
 * cosign signature manifests, read through the registry API).
 */
export class HarborProvider implements ArtifactProvider {
  readonly kind = 'artifacts' as const;
  readonly id = 'harbor';

  static create(options: {
    url: string;
    username: string;
    password: string;
    fetch?: typeof fetch;
  }) {
    return new HarborProvider(
      options.url.replace(/\/+$/, ''),
      options.username,
      options.password,
      options.fetch,
    );
  }

  private constructor(
    private readonly baseUrl: string,
    private readonly username: string,
    private readonly password: string,
    private readonly fetchImpl?: typeof fetch,
  ) {}

  supports(request: { repositorySlug?: string }): boolean {
    return Boolean(request.repositorySlug);
  }

  private repositoryPath(slug: string): string {
    const [project, ...rest] = slug.split('/');
    // Harbor wants slashes inside a repository name encoded twice.
    return `/projects/${encodeURIComponent(
      project,
    )}/repositories/${encodeURIComponent(encodeURIComponent(rest.join('/')))}`;
  }

  private get basicAuthorization(): string {
    return `Basic ${Buffer.from(`${this.username}:${this.password}`).toString(
      'base64',
    )}`;
  }

  private get<T>(path: string, context: ProviderCallContext, allow404 = false) {
    return fetchUpstreamJson<T>(`${this.baseUrl}/api/v2.0${path}`, {
      upstream: 'Harbor',
      signal: context.signal,
      headers: { authorization: this.basicAuthorization },
      fetch: this.fetchImpl,
      allowStatuses: allow404 ? [404] : undefined,
    });
  }

  /**
   * A manifest from Harbor's registry API (`/v2/...`, same host). Basic
   * credentials first; when the registry insists on a bearer token, one
   * pull-scoped token from Harbor's token service and a single retry.
   */
  private async registryManifest(
    slug: string,
    digest: string,
    context: ProviderCallContext,
  ): Promise<unknown> {
    const name = slug.split('/').map(encodeURIComponent).join('/');
    const read = (authorization: string) =>
      fetchUpstreamJson<unknown>(
        `${this.baseUrl}/v2/${name}/manifests/${digest}`,
        {
          upstream: 'Harbor registry',
          signal: context.signal,
          headers: { accept: MANIFEST_ACCEPT, authorization },
          fetch: this.fetchImpl,
          maxBytes: MAX_SIGNATURE_MANIFEST_BYTES,
          allowStatuses: [404],
        },
      );
    try {
      return await read(this.basicAuthorization);
    } catch (error) {
      if (!(error instanceof UpstreamError) || error.status !== 401) {
        throw error;
      }
    }
    const token = await fetchUpstreamJson<{ token?: unknown }>(
      `${
        this.baseUrl
      }/service/token?service=${HARBOR_TOKEN_SERVICE}&scope=${encodeURIComponent(
        `repository:${slug}:pull`,
      )}`,
      {
        upstream: 'Harbor token service',
        signal: context.signal,
        headers: { authorization: this.basicAuthorization },
        fetch: this.fetchImpl,
        maxBytes: 64 * 1024,
      },
    );
    if (typeof token?.token !== 'string' || token.token === '') {
      throw new UpstreamError('Harbor issued no registry token', {
        kind: 'malformed',
      });
    }
    return read(`Bearer ${token.token}`);
  }

  /**
   * Who signed an artifact, from the certificates in its cosign signature
   * manifests. `[]` only when Harbor lists no signature at all; undefined
   * (unknown) when a signature manifest cannot be read, when there are more
   * than {@link MAX_SIGNATURES}, or when no signature names a signer
   * (key-based cosign, Notation): never an empty list that would read as
   * "not signed".
   */
  private async signersOf(
    slug: string,
    artifact: any,
    context: ProviderCallContext,
  ): Promise<SignerIdentity[] | undefined> {
    const signatures = signatureAccessories(artifact);
    if (signatures.length === 0) return [];
    if (signatures.length > MAX_SIGNATURES) return undefined;
    const cosign = signatures.filter(
      (a: any) =>
        a.type === 'signature.cosign' &&
        typeof a.digest === 'string' &&
        DIGEST.test(a.digest),
    );
    if (cosign.length === 0) return undefined;
    try {
      const manifests = await Promise.all(
        cosign.map((a: any) => this.registryManifest(slug, a.digest, context)),
      );
      if (manifests.some(m => m === undefined)) return undefined;
      const signers = distinctSigners(manifests.flatMap(signersOfManifest));
      return signers.length > 0 ? signers : undefined;
    } catch {
      return undefined;
    }
  }

  private repository(request: {
    repositorySlug?: string;
    image?: string;
  }): string {
    return (
      request.image ?? `${new URL(this.baseUrl).host}/${request.repositorySlug}`
    );
  }

  async listArtifacts(
    request: { repositorySlug?: string; image?: string; limit: number },
    context: ProviderCallContext,
  ): Promise<ArtifactState[]> {
    if (!request.repositorySlug) return [];
    const pageSize = Math.min(Math.max(request.limit, 1), 100);
    const body = await this.get<unknown>(
      `${this.repositoryPath(
        request.repositorySlug,
      )}/artifacts?with_scan_overview=true&with_accessory=true&with_tag=true&page_size=${pageSize}`,
      context,
      true,
    );
    if (body === undefined) return [];
    if (!Array.isArray(body)) {
      throw new UpstreamError('Harbor answered an unexpected artifact list', {
        kind: 'malformed',
      });
    }
    const byDigest = new Map(body.map((a: any) => [a?.digest, a]));
    const childSet = new Set(body.flatMap(childDigests));
    const repository = this.repository(request);
    return body
      .filter((a: any) => !childSet.has(a?.digest))
      .map((a: any) =>
        toArtifactState(a, {
          repository,
          children: d => byDigest.get(d),
          webUrl: this.webUrl(request.repositorySlug!, a),
        }),
      );
  }

  async getArtifact(
    request: { repositorySlug?: string; image: ImageRef },
    context: ProviderCallContext,
  ): Promise<ArtifactState | undefined> {
    if (!request.repositorySlug) return undefined;
    const reference = request.image.digest ?? request.image.tag;
    if (!reference) return undefined;
    const base = this.repositoryPath(request.repositorySlug);
    const query = '?with_scan_overview=true&with_accessory=true&with_tag=true';
    const artifact = await this.get<any>(
      `${base}/artifacts/${encodeURIComponent(reference)}${query}`,
      context,
      true,
    );
    if (artifact === undefined) return undefined;
    const digests = childDigests(artifact).slice(0, 16);
    const [children, signers] = await Promise.all([
      Promise.all(
        digests.map(d =>
          this.get<any>(
            `${base}/artifacts/${encodeURIComponent(d)}${query}`,
            context,
            true,
          ),
        ),
      ),
      this.signersOf(request.repositorySlug, artifact, context),
    ]);
    const byDigest = new Map(digests.map((d, i) => [d, children[i]]));
    return toArtifactState(artifact, {
      repository: request.image.repository,
      children: d => byDigest.get(d),
      webUrl: this.webUrl(request.repositorySlug, artifact),
      signers,
    });
  }

  private webUrl(slug: string, artifact: any): string | undefined {
    if (
      typeof artifact?.project_id !== 'number' ||
      typeof artifact?.digest !== 'string'
    )
      return undefined;
    const [, ...rest] = slug.split('/');
    return `${this.baseUrl}/harbor/projects/${
      artifact.project_id
    }/repositories/${encodeURIComponent(
      rest.join('/'),
    )}/artifacts-tab/artifacts/${artifact.digest}`;
  }
}
