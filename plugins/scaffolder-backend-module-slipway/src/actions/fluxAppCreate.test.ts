import { ConfigReader } from '@backstage/config';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { actionWorkspace } from '../__testUtils__/actionContext';
import { listFiles } from '../__testUtils__/checks';
import { createFluxAppCreateAction } from './fluxAppCreate';

const BASE = {
  name: 'ledger-api',
  owner: 'group:default/team-payments',
  repoUrl: 'https://github.com/acme/gitops.git',
};

describe('slipway:flux:app:create', () => {
  const ws = actionWorkspace('slipway-flux-', createFluxAppCreateAction);
  const { run, read } = ws;

  function write(file: string, content: string) {
    const full = path.join(ws.workspace, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }

  it('writes the Flux layout: dev every minute, staging and prod daily', async () => {
    const outputs = await run(BASE);
    expect(outputs).toMatchObject({
      kustomizations: [
        'ledger-api-dev',
        'ledger-api-staging',
        'ledger-api-prod',
      ],
      namespace: 'team-payments',
      cluster: 'default',
      fluxSelector: 'slipway.dev/app=ledger-api',
    });
    expect(listFiles(path.join(ws.workspace, 'flux'))).toEqual([
      'clusters/default/kustomization.yaml',
      'releases/ledger-api/dev.yaml',
      'releases/ledger-api/kustomization.yaml',
      'releases/ledger-api/prod.yaml',
      'releases/ledger-api/staging.yaml',
      'sources/team-payments/gitrepository.yaml',
      'sources/team-payments/kustomization.yaml',
      'sources/team-payments/ledger-api.yaml',
      'sources/team-payments/namespace.yaml',
      'sources/team-payments/serviceaccount.yaml',
    ]);
    expect(read('flux/releases/ledger-api/dev.yaml').spec.interval).toBe('1m');
    expect(read('flux/releases/ledger-api/prod.yaml').spec.interval).toBe(
      '24h',
    );
  });

  it('takes the cluster, sync modes and namespaces from config', async () => {
    const config = new ConfigReader({
      slipway: {
        environments: [
          { name: 'dev', syncMode: 'auto' },
          { name: 'prod', syncMode: 'auto' },
        ],
        flux: { clusters: [{ name: 'sandbox' }] },
        scaffolder: {
          environments: [{ name: 'prod', namespace: 'ledger' }],
        },
      },
    });
    const outputs = await run(BASE, config);
    expect(outputs.cluster).toBe('sandbox');
    const prod = read('flux/releases/ledger-api/prod.yaml');
    expect(prod.spec.interval).toBe('1m');
    expect(prod.spec.targetNamespace).toBe('ledger');
    expect(read('flux/clusters/sandbox/kustomization.yaml').resources).toEqual([
      '../../sources/team-payments',
      '../../releases/ledger-api',
    ]);
  });

  it('merges into what another app of the team and the bootstrap left', async () => {
    write(
      'flux/clusters/sandbox/kustomization.yaml',
      '# entry point\nresources:\n  - flux-system\n  - ../../sources/team-payments\n  - ../../releases/billing\n',
    );
    await run({ ...BASE, name: 'billing', cluster: 'sandbox' });
    await run({ ...BASE, cluster: 'sandbox' });
    const cluster = fs.readFileSync(
      path.join(ws.workspace, 'flux/clusters/sandbox/kustomization.yaml'),
      'utf8',
    );
    expect(cluster).toContain('# entry point');
    expect(parseAllDocuments(cluster)[0].toJS().resources).toEqual([
      'flux-system',
      '../../sources/team-payments',
      '../../releases/billing',
      '../../releases/ledger-api',
    ]);
    expect(
      read('flux/sources/team-payments/kustomization.yaml').resources,
    ).toEqual([
      'namespace.yaml',
      'serviceaccount.yaml',
      'gitrepository.yaml',
      'billing.yaml',
      'ledger-api.yaml',
    ]);
  });

  it("keeps a new entry point's existing content (flux bootstrap's flux-system/)", async () => {
    write(
      'flux/clusters/default/flux-system/kustomization.yaml',
      'resources:\n  - gotk-components.yaml\n',
    );
    await run(BASE);
    expect(read('flux/clusters/default/kustomization.yaml').resources).toEqual([
      'flux-system',
      '../../sources/team-payments',
      '../../releases/ledger-api',
    ]);
  });

  it("refuses another repository for the team's source and writes nothing", async () => {
    await run(BASE);
    const before = listFiles(ws.workspace);
    await expect(
      run({
        ...BASE,
        name: 'billing',
        repoUrl: 'https://github.com/acme/other.git',
      }),
    ).rejects.toThrow(/reads https:\/\/github.com\/acme\/gitops.git/);
    expect(listFiles(ws.workspace)).toEqual(before);
  });

  it("refuses another app's release folder", async () => {
    write(
      'flux/releases/ledger-api/dev.yaml',
      'kind: Kustomization\nmetadata:\n  labels:\n    slipway.dev/app: billing\n',
    );
    await expect(run(BASE)).rejects.toThrow(/belongs to application billing/);
  });

  it('refuses a cross-namespace source and a user as owner', async () => {
    await expect(
      run({ ...BASE, sourceNamespace: 'flux-system' }),
    ).rejects.toMatchObject({ name: 'InputError' });
    await expect(
      run({ ...BASE, owner: 'user:default/guest' }),
    ).rejects.toMatchObject({ name: 'InputError' });
    expect(listFiles(ws.workspace)).toEqual([]);
    // Naming the team's own namespace is not a cross-namespace reference.
    await run({ ...BASE, sourceNamespace: 'team-payments' });
  });
});
