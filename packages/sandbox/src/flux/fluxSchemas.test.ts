import { validateFluxObject } from '@slipway/vendor-schemas';
import {
  getJson,
  startTestSandbox,
  TestSandbox,
} from '../__testUtils__/sandboxHarness';

// Integration test: it starts servers, git and a child process per
// validation on a loaded 2-core machine.
jest.setTimeout(120_000);

const READ = { Authorization: 'Bearer sandbox-flux-token' };

describe('Flux answers match @kubernetes-models/flux-cd', () => {
  let sandbox: TestSandbox;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
  }, 120_000);
  afterAll(() => sandbox.close());

  it('every served object and list of the seeded world validates', async () => {
    const api = sandbox.sandbox.urls.flux;
    const lists = [
      '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations',
      '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/team-payments/kustomizations',
      '/apis/source.toolkit.fluxcd.io/v1/gitrepositories',
      '/apis/source.toolkit.fluxcd.io/v1/namespaces/team-payments/gitrepositories',
      '/apis/helm.toolkit.fluxcd.io/v2/helmreleases',
    ];
    const served: any[] = [];
    for (const list of lists) {
      served.push(await getJson(`${api}${list}`, READ));
    }
    const items = served.flatMap(list => list.items);
    // 3 Kustomizations (ledger-api dev/staging/prod) and 1 GitRepository,
    // each listed in all namespaces and in its own.
    expect(items).toHaveLength(8);
    for (const item of served[0].items.concat(served[2].items)) {
      const plural =
        item.kind === 'Kustomization' ? 'kustomizations' : 'gitrepositories';
      served.push(
        await getJson(
          `${api}/apis/${item.apiVersion}/namespaces/${item.metadata.namespace}/${plural}/${item.metadata.name}`,
          READ,
        ),
      );
    }
    expect(served).toHaveLength(lists.length + 4);
    expect(validateFluxObject(...served, ...items)).toEqual([]);

    // The validator is not a rubber stamp.
    const broken = { ...served[lists.length] };
    broken.spec = { ...broken.spec, prune: 'yes' };
    expect(validateFluxObject(broken)).toHaveLength(1);
  });
});
