import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DEFAULT_ENVIRONMENTS } from '@slipway/plugin-slipway-node';
import {
  FakeWorld,
  memoryCache,
  serviceEntity,
} from '../__testUtils__/fakeProviders';
import { groupProviders } from '../providers/createDefaultProviders';
import {
  DeployStateService,
  StateProviders,
} from '../state/DeployStateService';
import { SourceCache } from '../state/SourceCache';
import { StateInvalidator } from '../state/StateInvalidator';
import { WebhookService } from './WebhookService';

jest.setTimeout(60_000);

const SECRET = 'argo-secret';
const entities = [serviceEntity('payments-api'), serviceEntity('orders')];

/** The stack a webhook flood meets: webhook → coalesced invalidation → cache → providers. */
function setup(coalesceMs: number) {
  const world = new FakeWorld();
  const providers = groupProviders(world.providers()) as StateProviders;
  const readsBySelector = new Map<string, number>();
  for (const delivery of providers.delivery) {
    const list = delivery.listApplications.bind(delivery);
    delivery.listApplications = async (selector, context) => {
      readsBySelector.set(selector, (readsBySelector.get(selector) ?? 0) + 1);
      return list(selector, context);
    };
  }
  const catalog = catalogServiceMock({ entities });
  const sources = SourceCache.create({
    cache: memoryCache(),
    timeoutMs: 300,
    ttlMs: 60_000,
  });
  const invalidator = StateInvalidator.create({
    sources,
    gitopsReaders: providers.gitops,
    catalog,
    auth: mockServices.auth(),
    logger: mockServices.logger.mock(),
    coalesceMs,
  });
  const webhooks = WebhookService.create({
    secrets: { argocd: SECRET },
    invalidator,
  });
  const state = DeployStateService.create({
    catalog,
    environments: DEFAULT_ENVIRONMENTS,
    providers,
    sources,
  });
  const view = (name: string) =>
    state.getEntityState(
      { kind: 'component', namespace: 'default', name },
      mockServices.auth().getOwnServiceCredentials() as any,
    );
  const webhook = async (application: string) => {
    const body = Buffer.from(JSON.stringify({ app: application }));
    webhooks.verify('argocd', body, { 'x-slipway-webhook-secret': SECRET });
    await webhooks.handle('argocd', body);
  };
  return { world, invalidator, view, webhook, readsBySelector };
}

describe('THREATS 36: a webhook flood', () => {
  it('invalidates only what the payload names and coalesces bursts: at most one read per affected entity per window', async () => {
    const windowMs = 100;
    const { invalidator, view, webhook, readsBySelector } = setup(windowMs);
    await view('payments-api');
    await view('orders');
    const before = new Map(readsBySelector);

    // 470 webhooks about payments-api's dev Application, with people
    // looking at both services all along.
    const started = Date.now();
    for (let i = 0; i < 470; i++) {
      await webhook('payments-api-dev');
      if (i % 10 === 0) {
        await Promise.all([view('payments-api'), view('orders')]);
        await new Promise(r => setTimeout(r, 5));
      }
    }
    await invalidator.flush();
    await Promise.all([view('payments-api'), view('orders')]);
    const elapsed = Date.now() - started;
    const windows = Math.ceil(elapsed / windowMs) + 1;

    const paymentsReads =
      readsBySelector.get('slipway.dev/app=payments-api')! -
      before.get('slipway.dev/app=payments-api')!;
    const ordersReads =
      readsBySelector.get('slipway.dev/app=orders')! -
      before.get('slipway.dev/app=orders')!;
    // The other service's Argo CD data is never invalidated by these webhooks.
    expect(ordersReads).toBe(0);
    // One coalesced invalidation per window, one read per window at most.
    expect(invalidator.applied).toBeLessThanOrEqual(windows);
    expect(paymentsReads).toBeLessThanOrEqual(windows);
    expect(paymentsReads).toBeGreaterThan(0);
  });

  it('without coalescing each webhook still only touches the named app', async () => {
    const { view, webhook, readsBySelector } = setup(0);
    await view('orders');
    for (let i = 0; i < 20; i++) await webhook('payments-api-prod');
    await view('orders');
    expect(readsBySelector.get('slipway.dev/app=orders')).toBe(1);
  });
});

describe('webhook replays', () => {
  it('refuses a GitHub delivery id seen before', () => {
    const { invalidator } = setup(0);
    const webhooks = WebhookService.create({
      secrets: { github: 'gh' },
      invalidator,
    });
    const crypto = require('node:crypto');
    const body = Buffer.from('{"repository":{"full_name":"acme/gitops"}}');
    const headers = {
      'x-hub-signature-256': `sha256=${crypto
        .createHmac('sha256', 'gh')
        .update(body)
        .digest('hex')}`,
      'x-github-delivery': 'd-1',
    };
    expect(() => webhooks.verify('github', body, headers)).not.toThrow();
    expect(() => webhooks.verify('github', body, headers)).toThrow(/replay/);
    expect(() =>
      webhooks.verify('github', body, {
        ...headers,
        'x-github-delivery': 'd-2',
      }),
    ).not.toThrow();
  });
});
