import { QualityGate } from '@slipway/plugin-slipway-common';
import {
  fetchUpstreamJson,
  ProviderCallContext,
  QualityProvider,
  UpstreamError,
} from '@slipway/plugin-slipway-node';

const STATUSES: QualityGate['status'][] = ['OK', 'WARN', 'ERROR', 'NONE'];

/** Maps a SonarQube `project_status` answer. */
function toQualityGate(body: unknown, url: string): QualityGate {
  const projectStatus = (body as any)?.projectStatus;
  if (!projectStatus || typeof projectStatus !== 'object') {
    throw new UpstreamError('SonarQube answered an unexpected quality gate', {
      kind: 'malformed',
    });
  }
  const status = STATUSES.includes(projectStatus.status)
    ? projectStatus.status
    : 'NONE';
  const conditions = (
    Array.isArray(projectStatus.conditions) ? projectStatus.conditions : []
  )
    .filter((c: any) => c && typeof c.metricKey === 'string')
    .slice(0, 50)
    .map((c: any) => ({
      metric: String(c.metricKey),
      status: String(c.status ?? ''),
      actual: typeof c.actualValue === 'string' ? c.actualValue : undefined,
      threshold:
        typeof c.errorThreshold === 'string' ? c.errorThreshold : undefined,
    }));
  return { status, url, conditions };
}

/** SonarQube quality gates, with a user token. */
export class SonarQubeProvider implements QualityProvider {
  readonly kind = 'quality' as const;
  readonly id = 'sonarqube';

  static create(options: {
    url: string;
    token: string;
    fetch?: typeof fetch;
  }): SonarQubeProvider {
    return new SonarQubeProvider(
      options.url.replace(/\/+$/, ''),
      options.token,
      options.fetch,
    );
  }

  private constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly fetchImpl?: typeof fetch,
  ) {}

  async getQualityGate(
    request: { projectKey: string },
    context: ProviderCallContext,
  ): Promise<QualityGate | undefined> {
    const key = encodeURIComponent(request.projectKey);
    const body = await fetchUpstreamJson(
      `${this.baseUrl}/api/qualitygates/project_status?projectKey=${key}`,
      {
        upstream: 'SonarQube',
        signal: context.signal,
        headers: {
          authorization: `Basic ${Buffer.from(`${this.token}:`).toString(
            'base64',
          )}`,
        },
        fetch: this.fetchImpl,
        allowStatuses: [404],
      },
    );
    return body === undefined
      ? undefined
      : toQualityGate(body, `${this.baseUrl}/dashboard?id=${key}`);
  }
}
