import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { GitOpsReaderProvider } from '@slipway/plugin-slipway-node';
import { memoryCache, serviceEntity } from '../__testUtils__/fakeProviders';
import { webhookTargets } from '../webhooks/WebhookService';
import { SourceCache } from './SourceCache';
import { entityReads, scopesOf, StateInvalidator } from './StateInvalidator';

function setup(readers: GitOpsReaderProvider[]) {
  const sources = SourceCache.create({ cache: memoryCache(), timeoutMs: 300 });
  const invalidated: string[][] = [];
  jest
    .spyOn(sources, 'invalidate')
    .mockImplementation(async scopes => void invalidated.push(scopes));
  const published: string[] = [];
  const invalidator = StateInvalidator.create({
    sources,
    gitopsReaders: readers,
    catalog: catalogServiceMock({
      entities: [
        serviceEntity('payments-api'),
        serviceEntity('orders', {
          'slipway.dev/gitops-repo': 'https://git.example.com/acme/other.git',
        }),
      ],
    }),
    auth: mockServices.auth(),
    signals: {
      publish: async signal => void published.push(signal.channel),
    },
    logger: mockServices.logger.mock(),
  });
  return { invalidator, invalidated, published };
}

function reader(extra: object = {}): GitOpsReaderProvider & {
  invalidate: jest.Mock;
} {
  return {
    id: 'git',
    kind: 'gitops',
    supports: () => true,
    readOverlays: jest.fn(),
    history: jest.fn(),
    invalidate: jest.fn(async () => undefined),
    ...extra,
  };
}

describe('StateInvalidator', () => {
  it('a repository: cache scopes, then the reader by name, then the signals', async () => {
    const invalidateRepository = jest.fn(async () => undefined);
    const byName = reader({ invalidateRepository });
    const { invalidator, invalidated, published } = setup([byName]);
    await invalidator.invalidate([{ repository: 'Acme/GitOps' }]);
    expect(invalidated).toEqual([['gitops:acme/gitops', 'ci:acme/gitops']]);
    expect(invalidateRepository).toHaveBeenCalledWith('acme/gitops');
    expect(byName.invalidate).not.toHaveBeenCalled();
    expect(published).toEqual([
      'slipway:entity:component:default/payments-api',
      'slipway:fleet',
    ]);
  });

  it('a reader without invalidate-by-name is given the real URLs entities use, never a made-up one', async () => {
    const byUrl = reader();
    const { invalidator } = setup([byUrl]);
    await invalidator.invalidate([{ repository: 'acme/gitops' }]);
    expect(byUrl.invalidate.mock.calls).toEqual([
      ['https://git.example.com/acme/gitops.git'],
    ]);
  });

  it('registry and delivery targets name their scopes and entities', async () => {
    const { invalidator, invalidated, published } = setup([reader()]);
    await invalidator.invalidate([
      { registryRepository: 'acme/orders' },
      { delivery: { application: 'payments-api-prod' } },
    ]);
    // The Application's own scope, its app's and the fleet's; not every entity's.
    expect(invalidated).toEqual([
      [
        'artifacts:acme/orders',
        'delivery',
        'delivery:application:payments-api-prod',
        'delivery:app:payments-api-prod',
        'delivery:app:payments-api',
      ],
    ]);
    expect(published.sort()).toEqual([
      'slipway:entity:component:default/orders',
      'slipway:entity:component:default/payments-api',
      'slipway:fleet',
    ]);
  });

  it('a webhook without a usable name invalidates nothing but still tells the fleet', async () => {
    const { invalidator, invalidated, published } = setup([reader()]);
    await invalidator.invalidate(webhookTargets('github', { repository: {} }));
    expect(invalidated).toEqual([[]]);
    expect(published).toEqual(['slipway:fleet']);
  });
});

describe('webhook targets', () => {
  it.each([
    [
      'github',
      { repository: { full_name: 'Acme/GitOps' } },
      [{ repository: 'acme/gitops' }],
    ],
    ['github', { repository: { full_name: 'x'.repeat(301) } }, []],
    ['github', 'not json', []],
    [
      'harbor',
      { event_data: { repository: { repo_full_name: 'Acme/App' } } },
      [{ registryRepository: 'acme/app' }],
    ],
    [
      'argocd',
      { app: 'payments-api-prod' },
      [{ delivery: { application: 'payments-api-prod' } }],
    ],
    ['argocd', undefined, [{ delivery: { application: undefined } }]],
  ] as const)('%s %j → %j', (source, payload, targets) => {
    expect(webhookTargets(source, payload)).toEqual(targets);
  });

  it('scopes and entity matches of each target', () => {
    const entity = serviceEntity('payments-api');
    expect(scopesOf({ repository: 'acme/payments-api' })).toEqual([
      'gitops:acme/payments-api',
      'ci:acme/payments-api',
    ]);
    expect(entityReads(entity, { repository: 'acme/payments-api' })).toBe(true);
    expect(entityReads(entity, { repository: 'acme/gitops' })).toBe(true);
    expect(entityReads(entity, { repository: 'other/gitops' })).toBe(false);
    expect(
      entityReads(entity, { registryRepository: 'ACME/payments-api' }),
    ).toBe(true);
    expect(
      entityReads(entity, { delivery: { application: 'payments-api' } }),
    ).toBe(true);
    expect(entityReads(entity, { delivery: {} })).toBe(false);
    expect(entityReads(entity, { delivery: { application: 'payments' } })).toBe(
      false,
    );
  });
});
