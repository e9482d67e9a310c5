import { UpstreamError } from '../state/UpstreamError';

/** A selector of a retention or immutability rule (Harbor's `RetentionSelector`). @public */
export interface HarborSelector {
  kind: string;
  decoration: string;
  pattern: string;
  extras?: string;
}

/** Harbor's `RetentionRule`. @public */
export interface HarborRetentionRule {
  id?: number;
  priority?: number;
  disabled?: boolean;
  action: string;
  template: string;
  params?: Record<string, unknown>;
  tag_selectors: HarborSelector[];
  scope_selectors?: Record<string, HarborSelector[]>;
}

/** Harbor's `RetentionPolicy`. @public */
export interface HarborRetentionPolicy {
  id?: number;
  algorithm: string;
  rules: HarborRetentionRule[];
  trigger: {
    kind: string;
    settings?: Record<string, unknown>;
    references?: Record<string, unknown>;
  };
  scope: { level: string; ref: number };
}

/** What retention needs of a Harbor artifact. @public */
export interface HarborArtifactSummary {
  digest: string;
  pushedAt?: string;
  tags: { name: string; immutable: boolean }[];
  /** Digests of the platform manifests of an index. */
  children: string[];
}

/** Most artifact pages read per repository (100 artifacts a page). @public */
export const MAX_ARTIFACT_PAGES = 50;
const PAGE_SIZE = 100;
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/**
 * Harbor v2.0's tag retention API and the reads it needs: projects (their
 * `retention_id`), retention policies, and artifacts with their tags and
 * immutability. Every failure is an {@link UpstreamError} carrying Harbor's
 * status; nothing is retried. Used by the backend's retention task and the
 * scaffolder's `slipway:harbor:retention:ensure`, so both read and write the
 * same policy shape.
 *
 * @public
 */
export class HarborRetentionClient {
  static create(options: {
    url: string;
    username: string;
    password: string;
    fetch?: typeof fetch;
    timeoutMs?: number;
  }): HarborRetentionClient {
    return new HarborRetentionClient(
      options.url.replace(/\/+$/, ''),
      `Basic ${Buffer.from(`${options.username}:${options.password}`).toString(
        'base64',
      )}`,
      options.fetch ?? fetch,
      options.timeoutMs ?? 15_000,
    );
  }

  private constructor(
    private readonly baseUrl: string,
    private readonly authorization: string,
    private readonly fetchImpl: typeof fetch,
    private readonly timeoutMs: number,
  ) {}

  private async request(
    method: string,
    path: string,
    body?: unknown,
    allow404 = false,
  ): Promise<{ status: number; text: string; headers: Headers } | undefined> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}/api/v2.0${path}`, {
        method,
        headers: {
          accept: 'application/json',
          authorization: this.authorization,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      if ((error as Error)?.name === 'TimeoutError') {
        throw new UpstreamError(
          `Harbor did not answer ${method} ${path} in time`,
          {
            kind: 'timeout',
          },
        );
      }
      throw new UpstreamError(`Harbor is unreachable (${method} ${path})`);
    }
    if (allow404 && response.status === 404) {
      await response.body?.cancel().catch(() => {});
      return undefined;
    }
    const text = await response.text();
    if (text.length > MAX_RESPONSE_BYTES) {
      throw new UpstreamError(
        `Harbor answered ${method} ${path} with too much`,
        {
          kind: 'malformed',
        },
      );
    }
    if (!response.ok) {
      throw new UpstreamError(
        `Harbor answered HTTP ${
          response.status
        } to ${method} ${path}${harborMessage(text)}`,
        { status: response.status },
      );
    }
    return { status: response.status, text, headers: response.headers };
  }

  private async json<T>(
    path: string,
    allow404 = false,
  ): Promise<T | undefined> {
    const answer = await this.request('GET', path, undefined, allow404);
    if (!answer) return undefined;
    try {
      return JSON.parse(answer.text) as T;
    } catch {
      throw new UpstreamError(
        `Harbor answered GET ${path} with malformed JSON`,
        {
          kind: 'malformed',
        },
      );
    }
  }

  /** A project's id and bound retention policy; undefined when there is no such project. */
  async getProject(
    name: string,
  ): Promise<{ id: number; retentionId?: number } | undefined> {
    const project = await this.json<any>(
      `/projects/${encodeURIComponent(name)}`,
      true,
    );
    if (project === undefined) return undefined;
    if (typeof project?.project_id !== 'number') {
      throw new UpstreamError(`Harbor answered an unexpected project ${name}`, {
        kind: 'malformed',
      });
    }
    const retentionId = Number(project.metadata?.retention_id);
    return {
      id: project.project_id,
      ...(Number.isInteger(retentionId) && retentionId > 0
        ? { retentionId }
        : {}),
    };
  }

  async getPolicy(id: number): Promise<HarborRetentionPolicy> {
    const policy = await this.json<any>(`/retentions/${id}`);
    if (
      !policy ||
      typeof policy !== 'object' ||
      !Array.isArray(policy.rules ?? [])
    ) {
      throw new UpstreamError(
        `Harbor answered an unexpected retention policy ${id}`,
        {
          kind: 'malformed',
        },
      );
    }
    return { ...policy, rules: policy.rules ?? [] };
  }

  /** Creates a policy (Harbor binds it to the project); answers its id. */
  async createPolicy(
    policy: HarborRetentionPolicy,
  ): Promise<number | undefined> {
    const answer = await this.request('POST', '/retentions', policy);
    const id = Number(answer?.headers.get('location')?.split('/').pop());
    return Number.isInteger(id) && id > 0 ? id : undefined;
  }

  async updatePolicy(id: number, policy: HarborRetentionPolicy): Promise<void> {
    await this.request('PUT', `/retentions/${id}`, { ...policy, id });
  }

  /** Every artifact of a repository (top level and platform manifests), newest push first. */
  async listArtifacts(
    project: string,
    repository: string,
  ): Promise<HarborArtifactSummary[]> {
    const base = `/projects/${encodeURIComponent(
      project,
    )}/repositories/${encodeURIComponent(
      encodeURIComponent(repository),
    )}/artifacts?with_tag=true&with_immutable_status=true&page_size=${PAGE_SIZE}`;
    const artifacts: HarborArtifactSummary[] = [];
    for (let page = 1; page <= MAX_ARTIFACT_PAGES; page++) {
      const items = await this.json<unknown>(`${base}&page=${page}`, true);
      if (items === undefined) return artifacts;
      if (!Array.isArray(items)) {
        throw new UpstreamError(
          `Harbor answered an unexpected artifact list for ${project}/${repository}`,
          { kind: 'malformed' },
        );
      }
      for (const item of items as any[]) {
        if (typeof item?.digest !== 'string') continue;
        artifacts.push({
          digest: item.digest,
          pushedAt:
            typeof item.push_time === 'string' ? item.push_time : undefined,
          tags: (Array.isArray(item.tags) ? item.tags : [])
            .filter((t: any) => typeof t?.name === 'string')
            .map((t: any) => ({
              name: t.name,
              immutable: t.immutable === true,
            })),
          children: (Array.isArray(item.references) ? item.references : [])
            .map((r: any) => r?.child_digest)
            .filter((d: unknown): d is string => typeof d === 'string'),
        });
      }
      if (items.length < PAGE_SIZE) return artifacts;
    }
    throw new UpstreamError(
      `${project}/${repository} holds more than ${
        MAX_ARTIFACT_PAGES * PAGE_SIZE
      } artifacts; not read whole`,
      { kind: 'malformed' },
    );
  }
}

function harborMessage(text: string): string {
  try {
    const message = JSON.parse(text)?.errors?.[0]?.message;
    return typeof message === 'string' ? `: ${message.slice(0, 300)}` : '';
  } catch {
    return '';
  }
}
