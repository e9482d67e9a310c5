import { ArtifactState, ImageRef } from '@slipway/plugin-slipway-common';
import {
  ArtifactProvider,
  fetchUpstreamJson,
  isRateLimited,
  ProviderCallContext,
  rateLimitRetryAt,
  UpstreamError,
} from '@slipway/plugin-slipway-node';

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** One registry reachable over the OCI distribution API. */
export interface OciRegistryConfig {
  /** Host (and port) as written in image names, e.g. `ghcr.io`. */
  host: string;
  username?: string;
  password?: string;
  /** Plain HTTP, for local registries only. */
  insecure?: boolean;
}

/** Parses `Bearer realm="…",service="…",scope="…"`. */
function parseBearerChallenge(
  header: string | null,
): Record<string, string> | undefined {
  if (!header || !/^Bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const match of header.slice(7).matchAll(/([a-z]+)="([^"]*)"/gi)) {
    params[match[1].toLowerCase()] = match[2];
  }
  return params.realm ? params : undefined;
}

/**
 * Resolves tags to digests in any OCI registry with
 * `HEAD /v2/<name>/manifests/<tag>` (Docker-Content-Digest). Basic
 * credentials, or the registry's bearer token challenge. No scans or
 * signatures: those come from registry-specific providers such as Harbor.
 */
export class OciRegistryProvider implements ArtifactProvider {
  readonly kind = 'artifacts' as const;
  readonly id = 'oci-registry';

  static create(options: {
    registries: OciRegistryConfig[];
    fetch?: typeof fetch;
  }) {
    return new OciRegistryProvider(
      options.registries,
      options.fetch ?? ((...args) => fetch(...args)),
    );
  }

  private constructor(
    private readonly registries: OciRegistryConfig[],
    private readonly fetchImpl: typeof fetch,
  ) {}

  private registryOf(
    image?: string,
  ): { registry: OciRegistryConfig; name: string } | undefined {
    if (!image) return undefined;
    const slash = image.indexOf('/');
    if (slash < 0) return undefined;
    const host = image.slice(0, slash);
    const registry = this.registries.find(r => r.host === host);
    return registry ? { registry, name: image.slice(slash + 1) } : undefined;
  }

  supports(request: { image?: string }): boolean {
    return Boolean(this.registryOf(request.image));
  }

  async listArtifacts(): Promise<ArtifactState[]> {
    // The distribution API lists tags, not artifacts: each image is resolved on its own.
    return [];
  }

  private basic(registry: OciRegistryConfig): string | undefined {
    if (!registry.username || registry.password === undefined) return undefined;
    return `Basic ${Buffer.from(
      `${registry.username}:${registry.password}`,
    ).toString('base64')}`;
  }

  private async head(
    url: string,
    authorization: string | undefined,
    context: ProviderCallContext,
  ) {
    try {
      return await this.fetchImpl(url, {
        method: 'HEAD',
        headers: {
          accept: MANIFEST_TYPES,
          ...(authorization ? { authorization } : {}),
        },
        signal: context.signal,
        redirect: 'follow',
      });
    } catch {
      throw new UpstreamError(
        context.signal.aborted
          ? 'Registry did not answer in time'
          : 'Registry is unreachable',
        { kind: context.signal.aborted ? 'timeout' : 'error' },
      );
    }
  }

  async getArtifact(
    request: { image: ImageRef },
    context: ProviderCallContext,
  ): Promise<ArtifactState | undefined> {
    const found = this.registryOf(request.image.repository);
    const reference = request.image.digest ?? request.image.tag;
    if (!found || !reference) return undefined;
    const { registry, name } = found;
    const scheme = registry.insecure ? 'http' : 'https';
    const url = `${scheme}://${registry.host}/v2/${name
      .split('/')
      .map(encodeURIComponent)
      .join('/')}/manifests/${encodeURIComponent(reference)}`;
    let response = await this.head(url, this.basic(registry), context);
    const challenge =
      response.status === 401
        ? parseBearerChallenge(response.headers.get('www-authenticate'))
        : undefined;
    if (challenge) {
      const tokenUrl = new URL(challenge.realm);
      if (challenge.service)
        tokenUrl.searchParams.set('service', challenge.service);
      tokenUrl.searchParams.set(
        'scope',
        challenge.scope ?? `repository:${name}:pull`,
      );
      const token = await fetchUpstreamJson<{
        token?: string;
        access_token?: string;
      }>(tokenUrl.toString(), {
        upstream: 'Registry token service',
        signal: context.signal,
        headers: this.basic(registry)
          ? { authorization: this.basic(registry)! }
          : {},
        fetch: this.fetchImpl,
      });
      const bearer = token?.token ?? token?.access_token;
      if (typeof bearer !== 'string') {
        throw new UpstreamError('Registry token service answered no token', {
          kind: 'malformed',
        });
      }
      response = await this.head(url, `Bearer ${bearer}`, context);
    }
    if (isRateLimited(response)) {
      throw new UpstreamError('Registry rate limit reached', {
        kind: 'rate-limited',
        status: response.status,
        retryAt: rateLimitRetryAt(response.headers),
      });
    }
    if (response.status === 404) return undefined;
    if (!response.ok) {
      throw new UpstreamError(`Registry answered HTTP ${response.status}`, {
        status: response.status,
      });
    }
    const digest = response.headers.get('docker-content-digest') ?? undefined;
    if (digest && !/^sha256:[a-f0-9]{64}$/.test(digest)) {
      throw new UpstreamError('Registry answered a malformed digest', {
        kind: 'malformed',
      });
    }
    if (request.image.digest && digest && digest !== request.image.digest) {
      throw new UpstreamError(
        'Registry answered another digest than the one pinned',
        { kind: 'malformed' },
      );
    }
    return {
      image: { ...request.image, digest: digest ?? request.image.digest },
      sourceCommit:
        request.image.tag && /^[0-9a-f]{40}$/.test(request.image.tag)
          ? request.image.tag
          : undefined,
    };
  }
}
