import { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { PromotionPolicy, PromotionPolicyVersion } from './policy';
import { EntityState, FleetPage, FleetQuery, HistoryPage } from './state';
import { EntityDeployConfig, SlipwayEnvironment } from './types';

/** The Slipway backend API, as the frontend and other plugins use it. @public */
export interface SlipwayApi {
  getEnvironments(): Promise<SlipwayEnvironment[]>;
  getEntityConfig(entity: CompoundEntityRef): Promise<EntityDeployConfig>;
  getEntityState(entity: CompoundEntityRef): Promise<EntityState>;
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
}

/** @public */
export interface SlipwayClientOptions {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  fetchApi: { fetch: typeof fetch };
}

/** Typed client for the Slipway backend. @public */
export class SlipwayClient implements SlipwayApi {
  private readonly discoveryApi: SlipwayClientOptions['discoveryApi'];
  private readonly fetchApi: SlipwayClientOptions['fetchApi'];

  constructor(options: SlipwayClientOptions) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async getEnvironments(): Promise<SlipwayEnvironment[]> {
    const body = await this.request<{ items: SlipwayEnvironment[] }>(
      '/environments',
    );
    return body.items;
  }

  async getEntityConfig(
    entity: CompoundEntityRef,
  ): Promise<EntityDeployConfig> {
    return this.request<EntityDeployConfig>(
      `/entities/${entityPath(entity)}/config`,
    );
  }

  async getEntityState(entity: CompoundEntityRef): Promise<EntityState> {
    return this.request<EntityState>(`/entities/${entityPath(entity)}/state`);
  }

  async getEntityHistory(
    entity: CompoundEntityRef,
    options?: { environment?: string; limit?: number; cursor?: string },
  ): Promise<HistoryPage> {
    return this.request<HistoryPage>(
      `/entities/${entityPath(entity)}/history${query(options ?? {})}`,
    );
  }

  async getFleet(fleetQuery?: FleetQuery): Promise<FleetPage> {
    return this.request<FleetPage>(`/fleet${query({ ...fleetQuery })}`);
  }

  async listPolicies(): Promise<PromotionPolicyVersion[]> {
    const body = await this.request<{ items: PromotionPolicyVersion[] }>(
      '/policies',
    );
    return body.items;
  }

  async getPolicy(name: string): Promise<PromotionPolicyVersion> {
    return this.request(`/policies/${encodeURIComponent(name)}`);
  }

  async getPolicyHistory(name: string): Promise<PromotionPolicyVersion[]> {
    const body = await this.request<{ items: PromotionPolicyVersion[] }>(
      `/policies/${encodeURIComponent(name)}/versions`,
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
    return this.request(`/policies/${encodeURIComponent(name)}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('slipway');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function entityPath(entity: CompoundEntityRef): string {
  return [entity.kind, entity.namespace, entity.name]
    .map(part => encodeURIComponent(part.toLocaleLowerCase('en-US')))
    .join('/');
}
