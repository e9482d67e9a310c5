import { ConfigReader } from '@backstage/config';
import fs from 'fs';
import path from 'path';
import { actionWorkspace } from '../__testUtils__/actionContext';
import { listFiles } from '../__testUtils__/checks';
import { createGitOpsAppCreateAction } from './gitopsAppCreate';

const IMAGE = 'harbor.example.com/acme/payments-api';

describe('slipway:gitops:app:create', () => {
  const ws = actionWorkspace('slipway-app-', createGitOpsAppCreateAction);
  const { run, read } = ws;

  it('writes base and one overlay per configured environment', async () => {
    const outputs = await run({ name: 'payments-api', image: IMAGE });
    expect(outputs.gitopsPath).toBe('apps/payments-api');
    expect(outputs.environments).toEqual(['dev', 'staging', 'prod']);
    expect(outputs.namespaces).toEqual({
      dev: 'payments-api-dev',
      staging: 'payments-api-staging',
      prod: 'payments-api-prod',
    });
    expect(
      listFiles(path.join(ws.workspace, 'apps/payments-api/base')),
    ).toEqual([
      'deployment.yaml',
      'hpa.yaml',
      'kustomization.yaml',
      'pdb.yaml',
      'service.yaml',
    ]);
    const dev = read('apps/payments-api/overlays/dev/kustomization.yaml');
    expect(dev.images).toEqual([
      { name: IMAGE, newName: IMAGE, newTag: 'scaffolded' },
    ]);
    expect(
      read('apps/payments-api/overlays/dev/ingress.yaml').spec.rules[0].host,
    ).toBe('payments-api.dev.apps.example.com');
  });

  it('is idempotent for the same application and keeps files already there', async () => {
    await run({ name: 'payments-api', image: IMAGE });
    const overlay = path.join(
      ws.workspace,
      'apps/payments-api/overlays/dev/kustomization.yaml',
    );
    const edited = fs
      .readFileSync(overlay, 'utf8')
      .replace('scaffolded', 'abc123');
    fs.writeFileSync(overlay, edited);
    const outputs = await run({ name: 'payments-api', image: IMAGE });
    expect(outputs.written).toEqual([]);
    expect(outputs.kept).toHaveLength(5 + 3 * 4);
    expect(fs.readFileSync(overlay, 'utf8')).toBe(edited);
  });

  it("refuses another application's folder", async () => {
    await run({ name: 'billing', image: IMAGE, gitopsPath: 'apps/shared' });
    await expect(
      run({ name: 'payments-api', image: IMAGE, gitopsPath: 'apps/shared' }),
    ).rejects.toThrow(/belongs to application billing/);
  });

  it('refuses a folder holding files without an app label', async () => {
    fs.mkdirSync(path.join(ws.workspace, 'apps/payments-api'), {
      recursive: true,
    });
    fs.writeFileSync(
      path.join(ws.workspace, 'apps/payments-api/secret.yaml'),
      'kind: Secret\n',
    );
    await expect(run({ name: 'payments-api', image: IMAGE })).rejects.toThrow(
      /carry no/,
    );
  });

  it('layers defaults, app config and input', async () => {
    const config = new ConfigReader({
      slipway: {
        environments: [{ name: 'dev' }, { name: 'qa' }, { name: 'prod' }],
        scaffolder: {
          ingressDomain: 'apps.acme.test',
          environments: [
            { name: 'prod', replicas: 4, resources: { memoryLimit: '2Gi' } },
          ],
        },
      },
    });
    await run(
      {
        name: 'payments-api',
        image: IMAGE,
        environments: [{ name: 'prod', replicas: 6 }],
      },
      config,
    );
    expect(
      listFiles(path.join(ws.workspace, 'apps/payments-api/overlays')).filter(
        f => f.endsWith('kustomization.yaml'),
      ),
    ).toEqual([
      'dev/kustomization.yaml',
      'prod/kustomization.yaml',
      'qa/kustomization.yaml',
    ]);
    const prod = read('apps/payments-api/overlays/prod/patch-workload.yaml');
    expect(prod[0]).toEqual({
      op: 'replace',
      path: '/spec/replicas',
      value: 6,
    });
    expect(prod[1].value).toEqual({
      requests: { cpu: '500m', memory: '512Mi' },
      limits: { cpu: '1000m', memory: '2Gi' },
    });
    expect(
      read('apps/payments-api/overlays/qa/patch-workload.yaml')[0].value,
    ).toBe(2);
    expect(
      read('apps/payments-api/overlays/prod/ingress.yaml').spec.rules[0].host,
    ).toBe('payments-api.prod.apps.acme.test');
  });

  it.each([
    [{ port: 0 }, /port/],
    [{ healthPath: 'healthz' }, /health path/],
    [{ strategy: 'recreate' }, /strategy/],
    [
      { environments: [{ name: 'prod', resources: { cpuLimit: '1 core' } }] },
      /cpuLimit/,
    ],
    [{ environments: [{ name: 'prod', replicas: 0 }] }, /replicas/],
    [{ environments: [{ name: 'prod', ingressHost: 'x\ny' }] }, /ingress host/],
    [
      { name: 'a-very-long-application-name-that-is-too-long' },
      /40 characters/,
    ],
  ])('rejects %j', async (override, message) => {
    await expect(
      run({ name: 'payments-api', image: IMAGE, ...override }),
    ).rejects.toThrow(message);
    expect(listFiles(ws.workspace)).toEqual([]);
  });
});
