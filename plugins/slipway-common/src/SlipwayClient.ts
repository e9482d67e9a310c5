/* eslint-disable new-cap -- openapi-fetch names its methods GET, PUT, … */
import { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import createClient, { Client, Middleware } from 'openapi-fetch';
import { PromotionPolicy, PromotionPolicyVersion } from './policy';
import {
  Freeze,
  Promotion,
  PromotionPreview,
  PromotionRequest,
  PromotionState,
} from './promotion';
import { paths } from './schema/openapi.generated';
import { EntityState, FleetPage, FleetQuery, HistoryPage } from './state';
import { EntityDeployConfig, SlipwayEnvironment } from './types';

/** The Slipway backend API, as the frontend and other plugins use it. @public */
export interface SlipwayApi {
  getEnvironments(): Promise<SlipwayEnvironment[]>;
  getEntityConfig(entity: CompoundEntityRef): Promise<EntityDeployConfig>;
  /**
   * The entity's deploy state. With `onPartial`, the state is streamed: it
   * receives each partial snapshot (sources not answered yet report
   * `pending`) as soon as it arrives; the promise answers the complete one.
   */
  getEntityState(
    entity: CompoundEntityRef,
    options?: { onPartial?: (state: EntityState) => void },
  ): Promise<EntityState>;
  getEntityHistory(
    entity: CompoundEntityRef,
    options?: { environment?: string; limit?: number; cursor?: string },
  ): Promise<HistoryPage>;
  getFleet(query?: FleetQuery): Promise<FleetPage>;
  listPolicies(): Promise<PromotionPolicyVersion[]>;
  getPolicy(name: string): Promise<PromotionPolicyVersion>;
  getPolicyHistory(name: string): Promise<PromotionPolicyVersion[]>;
  savePolicy(
    name: string,
    body: {
      policy: PromotionPolicy;
      expectedVersion: number;
      comment?: string;
    },
  ): Promise<PromotionPolicyVersion>;
  /** What a promotion would do: digest, gates, policy versions, overlay diff. */
  previewPromotion(
    entity: CompoundEntityRef,
    body: Pick<PromotionRequest, 'environment' | 'artifact'>,
  ): Promise<PromotionPreview>;
  requestPromotion(
    entity: CompoundEntityRef,
    body: PromotionRequest,
  ): Promise<Promotion>;
  requestRollback(
    entity: CompoundEntityRef,
    body: {
      environment: string;
      digest: string;
      reason: string;
      idempotencyKey?: string;
    },
  ): Promise<Promotion>;
  listPromotions(query?: {
    entityRef?: string;
    environment?: string;
    state?: PromotionState;
    limit?: number;
    cursor?: string;
  }): Promise<{ items: Promotion[]; nextCursor?: string }>;
  getPromotion(id: string): Promise<Promotion>;
  decidePromotion(
    id: string,
    body: { decision: 'approve' | 'reject'; comment?: string },
  ): Promise<Promotion>;
  cancelPromotion(id: string): Promise<Promotion>;
  listFreezes(): Promise<Freeze[]>;
  createFreeze(body: {
    scope: Freeze['scope'];
    target?: string;
    reason: string;
    until?: string;
  }): Promise<Freeze>;
  liftFreeze(id: string): Promise<Freeze>;
}

/** @public */
export interface SlipwayClientOptions {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  fetchApi: { fetch: typeof fetch };
}

/**
 * Any answer but 2xx becomes a `ResponseError`, read from the untouched
 * response (the backend's `{ error: { name, message } }` body).
 */
const throwResponseErrors: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return undefined;
  },
};

/**
 * Typed client for the Slipway backend, built on openapi-fetch over the types
 * generated from the backend's OpenAPI description
 * (`src/schema/openapi.generated.ts`): paths, parameters, bodies and answers
 * are checked against the spec at compile time.
 *
 * @public
 */
export class SlipwayClient implements SlipwayApi {
  private readonly discoveryApi: SlipwayClientOptions['discoveryApi'];
  private readonly client: Client<paths>;

  constructor(options: SlipwayClientOptions) {
    this.discoveryApi = options.discoveryApi;
    const fetchApi = options.fetchApi;
    this.client = createClient<paths>({
      // Backstage's fetchApi middlewares each rebuild the request from what
      // they were given (`new Request(input)`), which consumes a Request's
      // body the first time: a POST, PUT or DELETE handed over as a Request
      // fails ("a Request object that has already been used"). Hand them the
      // URL and a buffered body instead.
      fetch: async request =>
        fetchApi.fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body:
            request.method === 'GET' || request.method === 'HEAD'
              ? undefined
              : await request.text(),
          signal: request.signal,
        }),
    });
    this.client.use(throwResponseErrors);
  }

  async getEnvironments(): Promise<SlipwayEnvironment[]> {
    const body = dataOf(
      await this.client.GET('/environments', {
        baseUrl: await this.baseUrl(),
      }),
    );
    return body.items;
  }

  async getEntityConfig(
    entity: CompoundEntityRef,
  ): Promise<EntityDeployConfig> {
    return dataOf(
      await this.client.GET('/entities/{kind}/{namespace}/{name}/config', {
        baseUrl: await this.baseUrl(),
        params: { path: entityPath(entity) },
      }),
    );
  }

  async getEntityState(
    entity: CompoundEntityRef,
    options?: { onPartial?: (state: EntityState) => void },
  ): Promise<EntityState> {
    const onPartial = options?.onPartial;
    if (!onPartial) {
      return dataOf(
        await this.client.GET('/entities/{kind}/{namespace}/{name}/state', {
          baseUrl: await this.baseUrl(),
          params: { path: entityPath(entity) },
        }),
      );
    }
    const { response } = await this.client.GET(
      '/entities/{kind}/{namespace}/{name}/state',
      {
        baseUrl: await this.baseUrl(),
        params: { path: entityPath(entity) },
        headers: { Accept: 'application/x-ndjson' },
        parseAs: 'stream',
      },
    );
    return readStateStream(response, onPartial);
  }

  async getEntityHistory(
    entity: CompoundEntityRef,
    options?: { environment?: string; limit?: number; cursor?: string },
  ): Promise<HistoryPage> {
    return dataOf(
      await this.client.GET('/entities/{kind}/{namespace}/{name}/history', {
        baseUrl: await this.baseUrl(),
        params: { path: entityPath(entity), query: withoutEmpty(options) },
      }),
    );
  }

  async getFleet(fleetQuery?: FleetQuery): Promise<FleetPage> {
    return dataOf(
      await this.client.GET('/fleet', {
        baseUrl: await this.baseUrl(),
        params: { query: withoutEmpty(fleetQuery) },
      }),
    );
  }

  async listPolicies(): Promise<PromotionPolicyVersion[]> {
    const body = dataOf(
      await this.client.GET('/policies', { baseUrl: await this.baseUrl() }),
    );
    return body.items;
  }

  async getPolicy(name: string): Promise<PromotionPolicyVersion> {
    return dataOf(
      await this.client.GET('/policies/{policyName}', {
        baseUrl: await this.baseUrl(),
        params: { path: { policyName: name } },
      }),
    );
  }

  async getPolicyHistory(name: string): Promise<PromotionPolicyVersion[]> {
    const body = dataOf(
      await this.client.GET('/policies/{policyName}/versions', {
        baseUrl: await this.baseUrl(),
        params: { path: { policyName: name } },
      }),
    );
    return body.items;
  }

  async savePolicy(
    name: string,
    body: {
      policy: PromotionPolicy;
      expectedVersion: number;
      comment?: string;
    },
  ): Promise<PromotionPolicyVersion> {
    return dataOf(
      await this.client.PUT('/policies/{policyName}', {
        baseUrl: await this.baseUrl(),
        params: { path: { policyName: name } },
        body,
      }),
    );
  }

  async previewPromotion(
    entity: CompoundEntityRef,
    body: Pick<PromotionRequest, 'environment' | 'artifact'>,
  ): Promise<PromotionPreview> {
    return dataOf(
      await this.client.POST(
        '/entities/{kind}/{namespace}/{name}/promotions/preview',
        {
          baseUrl: await this.baseUrl(),
          params: { path: entityPath(entity) },
          body,
        },
      ),
    );
  }

  async requestPromotion(
    entity: CompoundEntityRef,
    body: PromotionRequest,
  ): Promise<Promotion> {
    return dataOf(
      await this.client.POST('/entities/{kind}/{namespace}/{name}/promotions', {
        baseUrl: await this.baseUrl(),
        params: { path: entityPath(entity) },
        body,
      }),
    );
  }

  async requestRollback(
    entity: CompoundEntityRef,
    body: {
      environment: string;
      digest: string;
      reason: string;
      idempotencyKey?: string;
    },
  ): Promise<Promotion> {
    return dataOf(
      await this.client.POST('/entities/{kind}/{namespace}/{name}/rollbacks', {
        baseUrl: await this.baseUrl(),
        params: { path: entityPath(entity) },
        body,
      }),
    );
  }

  async listPromotions(query?: {
    entityRef?: string;
    environment?: string;
    state?: PromotionState;
    limit?: number;
    cursor?: string;
  }): Promise<{ items: Promotion[]; nextCursor?: string }> {
    return dataOf(
      await this.client.GET('/promotions', {
        baseUrl: await this.baseUrl(),
        params: { query: withoutEmpty(query) },
      }),
    );
  }

  async getPromotion(id: string): Promise<Promotion> {
    return dataOf(
      await this.client.GET('/promotions/{promotionId}', {
        baseUrl: await this.baseUrl(),
        params: { path: { promotionId: id } },
      }),
    );
  }

  async decidePromotion(
    id: string,
    body: { decision: 'approve' | 'reject'; comment?: string },
  ): Promise<Promotion> {
    return dataOf(
      await this.client.POST('/promotions/{promotionId}/decisions', {
        baseUrl: await this.baseUrl(),
        params: { path: { promotionId: id } },
        body,
      }),
    );
  }

  async cancelPromotion(id: string): Promise<Promotion> {
    return dataOf(
      await this.client.POST('/promotions/{promotionId}/cancel', {
        baseUrl: await this.baseUrl(),
        params: { path: { promotionId: id } },
      }),
    );
  }

  async listFreezes(): Promise<Freeze[]> {
    const body = dataOf(
      await this.client.GET('/freezes', { baseUrl: await this.baseUrl() }),
    );
    return body.items;
  }

  async createFreeze(body: {
    scope: Freeze['scope'];
    target?: string;
    reason: string;
    until?: string;
  }): Promise<Freeze> {
    return dataOf(
      await this.client.POST('/freezes', {
        baseUrl: await this.baseUrl(),
        body,
      }),
    );
  }

  async liftFreeze(id: string): Promise<Freeze> {
    return dataOf(
      await this.client.DELETE('/freezes/{freezeId}', {
        baseUrl: await this.baseUrl(),
        params: { path: { freezeId: id } },
      }),
    );
  }

  private async baseUrl(): Promise<string> {
    return this.discoveryApi.getBaseUrl('slipway');
  }
}

/**
 * Reads a streamed state: one EntityState per line. A line with sources
 * still `pending` is a partial snapshot, handed to `onPartial` as it
 * arrives; the complete state (none pending) is the answer. A server that
 * does not stream answers one JSON document, which is the answer too. A
 * stream that ends before the complete state was cut short, and fails
 * rather than passing a partial snapshot off as the state.
 */
async function readStateStream(
  response: Response,
  onPartial: (state: EntityState) => void,
): Promise<EntityState> {
  let complete: EntityState | undefined;
  const take = (line: string) => {
    if (line.trim() === '') return;
    const state = JSON.parse(line) as EntityState;
    if (state.sources.some(s => s.status === 'pending')) {
      onPartial(state);
    } else {
      complete = state;
    }
  };
  const isStream = (response.headers.get('content-type') ?? '').startsWith(
    'application/x-ndjson',
  );
  if (!isStream || !response.body) {
    take(await response.text());
  } else {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const { done, value } = await reader.read();
      buffered += decoder.decode(value, { stream: !done });
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      lines.forEach(take);
      if (done) break;
    }
    take(buffered);
  }
  if (!complete) {
    throw new Error(
      'The deploy state stream ended before every source answered',
    );
  }
  return complete;
}

/** The body of a successful answer (failures were thrown as ResponseError). */
function dataOf<T>(result: { data?: T; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(
      `Slipway answered ${result.response.status} without a body`,
    );
  }
  return result.data;
}

/** Drops unset and empty query values, which the API would refuse. */
function withoutEmpty<T extends object>(query: T | undefined): T {
  return Object.fromEntries(
    Object.entries(query ?? {}).filter(
      ([, value]) => value !== undefined && value !== '',
    ),
  ) as T;
}

function entityPath(entity: CompoundEntityRef): {
  kind: string;
  namespace: string;
  name: string;
} {
  return {
    kind: entity.kind.toLocaleLowerCase('en-US'),
    namespace: entity.namespace.toLocaleLowerCase('en-US'),
    name: entity.name.toLocaleLowerCase('en-US'),
  };
}
