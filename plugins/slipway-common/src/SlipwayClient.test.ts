import { ResponseError } from '@backstage/errors';
import { SlipwayClient } from './SlipwayClient';

const baseUrl = 'http://backstage.test/api/slipway';
const entity = {
  kind: 'Component',
  namespace: 'default',
  name: 'Payments-API',
};

function clientAnswering(status: number, body: unknown) {
  const requests: Request[] = [];
  const fetch = jest.fn(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      requests.push(new Request(input, init));
      return new Response(JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json' },
      });
    },
  );
  const discoveryApi = { getBaseUrl: jest.fn(async () => baseUrl) };
  const client = new SlipwayClient({
    discoveryApi,
    fetchApi: { fetch: fetch as typeof globalThis.fetch },
  });
  return { client, requests, discoveryApi };
}

describe('SlipwayClient', () => {
  it('calls the backend found by discovery through fetchApi', async () => {
    const { client, requests, discoveryApi } = clientAnswering(200, {
      items: [{ name: 'dev', syncMode: 'auto' }],
    });
    await expect(client.getEnvironments()).resolves.toEqual([
      { name: 'dev', syncMode: 'auto' },
    ]);
    expect(discoveryApi.getBaseUrl).toHaveBeenCalledWith('slipway');
    expect(requests[0].method).toBe('GET');
    expect(requests[0].url).toBe(`${baseUrl}/environments`);
  });

  it('puts the lower-cased entity reference in the path', async () => {
    const { client, requests } = clientAnswering(200, {
      entityRef: 'component:default/payments-api',
    });
    await client.getEntityState(entity);
    await client.getEntityConfig(entity);
    expect(requests.map(r => r.url)).toEqual([
      `${baseUrl}/entities/component/default/payments-api/state`,
      `${baseUrl}/entities/component/default/payments-api/config`,
    ]);
  });

  describe('a streamed state', () => {
    const partial = {
      entityRef: 'component:default/payments-api',
      generatedAt: '2026-01-01T00:00:00Z',
      environments: [],
      builds: [],
      sources: [
        { source: 'git', kind: 'gitops', status: 'ok' },
        { source: 'argocd:main', kind: 'delivery', status: 'pending' },
      ],
    };
    const complete = {
      ...partial,
      sources: [
        { source: 'git', kind: 'gitops', status: 'ok' },
        { source: 'argocd:main', kind: 'delivery', status: 'ok' },
      ],
    };

    /** A client whose backend streams these chunks, the test pacing them. */
    function streaming(chunks: string[]) {
      const requests: Request[] = [];
      const fetch = jest.fn(
        async (input: RequestInfo | URL, init?: RequestInit) => {
          requests.push(new Request(input, init));
          const encoder = new TextEncoder();
          const body = new ReadableStream<Uint8Array>({
            start(controller) {
              for (const chunk of chunks) {
                controller.enqueue(encoder.encode(chunk));
              }
              controller.close();
            },
          });
          return new Response(body, {
            status: 200,
            headers: { 'Content-Type': 'application/x-ndjson; charset=utf-8' },
          });
        },
      );
      const client = new SlipwayClient({
        discoveryApi: { getBaseUrl: async () => baseUrl },
        fetchApi: { fetch: fetch as typeof globalThis.fetch },
      });
      return { client, requests };
    }

    it('hands each partial snapshot over as it arrives and answers the complete state', async () => {
      const lines = `${JSON.stringify(partial)}\n${JSON.stringify(complete)}\n`;
      // Lines split across chunks anywhere.
      const { client, requests } = streaming([
        lines.slice(0, 10),
        lines.slice(10, 200),
        lines.slice(200),
      ]);
      const onPartial = jest.fn();
      await expect(
        client.getEntityState(entity, { onPartial }),
      ).resolves.toEqual(complete);
      expect(onPartial).toHaveBeenCalledTimes(1);
      expect(onPartial).toHaveBeenCalledWith(partial);
      expect(requests[0].headers.get('Accept')).toBe('application/x-ndjson');
      expect(requests[0].url).toBe(
        `${baseUrl}/entities/component/default/payments-api/state`,
      );
    });

    it('fails when the stream ends before the complete state', async () => {
      const { client } = streaming([`${JSON.stringify(partial)}\n`]);
      await expect(
        client.getEntityState(entity, { onPartial: () => {} }),
      ).rejects.toThrow('ended before every source answered');
    });

    it('takes a plain JSON answer (a backend that does not stream) as the state', async () => {
      const { client } = clientAnswering(200, complete);
      const onPartial = jest.fn();
      await expect(
        client.getEntityState(entity, { onPartial }),
      ).resolves.toEqual(complete);
      expect(onPartial).not.toHaveBeenCalled();
    });
  });

  it('sends only the query values that are set', async () => {
    const { client, requests } = clientAnswering(200, {
      items: [],
      sources: [],
    });
    await client.getEntityHistory(entity, {
      environment: 'prod',
      limit: 20,
      cursor: undefined,
    });
    await client.getFleet({
      owner: '',
      system: 'system:default/pay',
      limit: 5,
    });
    await client.getFleet();
    expect(requests.map(r => r.url)).toEqual([
      `${baseUrl}/entities/component/default/payments-api/history?environment=prod&limit=20`,
      `${baseUrl}/fleet?system=system%3Adefault%2Fpay&limit=5`,
      `${baseUrl}/fleet`,
    ]);
  });

  it("survives Backstage's fetch middlewares, which rebuild a request twice", async () => {
    const bodies: string[] = [];
    const fetch = jest.fn(
      async (input: RequestInfo | URL, init?: RequestInit) => {
        // PluginProtocolResolverFetchMiddleware, then IdentityAuthInjectorFetchMiddleware.
        const rebuilt = [new Request(input, init), new Request(input, init)];
        bodies.push(await rebuilt[1].text());
        return new Response(JSON.stringify({ id: 'f1' }), {
          status: 201,
          headers: { 'Content-Type': 'application/json' },
        });
      },
    );
    const client = new SlipwayClient({
      discoveryApi: { getBaseUrl: async () => baseUrl },
      fetchApi: { fetch: fetch as typeof globalThis.fetch },
    });
    await client.createFreeze({ scope: 'global', reason: 'incident' });
    expect(JSON.parse(bodies[0])).toEqual({
      scope: 'global',
      reason: 'incident',
    });
  });

  it('sends a policy as JSON with PUT', async () => {
    const { client, requests } = clientAnswering(200, {
      name: 'default',
      version: 1,
    });
    const body = {
      policy: { selector: {}, environments: {} },
      expectedVersion: 0,
      comment: 'first',
    };
    await client.savePolicy('default', body);
    expect(requests[0].method).toBe('PUT');
    expect(requests[0].url).toBe(`${baseUrl}/policies/default`);
    expect(requests[0].headers.get('Content-Type')).toBe('application/json');
    expect(await requests[0].json()).toEqual(body);
  });

  it('turns an error answer into a ResponseError carrying the backend error', async () => {
    const { client } = clientAnswering(409, {
      error: { name: 'ConflictError', message: 'Policy "default" changed' },
      response: { statusCode: 409 },
    });
    const failure = await client.getPolicy('default').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ResponseError);
    expect((failure as ResponseError).response.status).toBe(409);
    expect((failure as ResponseError).body.error).toMatchObject({
      name: 'ConflictError',
      message: 'Policy "default" changed',
    });
  });

  it('returns the lists inside list answers', async () => {
    const version = { name: 'default', version: 2 };
    const { client, requests } = clientAnswering(200, { items: [version] });
    await expect(client.listPolicies()).resolves.toEqual([version]);
    await expect(client.getPolicyHistory('default')).resolves.toEqual([
      version,
    ]);
    expect(requests.map(r => r.url)).toEqual([
      `${baseUrl}/policies`,
      `${baseUrl}/policies/default/versions`,
    ]);
  });
});
