import { parse as parseYaml } from 'yaml';
import { buildGitOpsApp, resolveEnvironments } from './gitopsApp';

describe('resolveEnvironments', () => {
  it('starts from the platform defaults', () => {
    const [dev, staging, prod] = resolveEnvironments([
      'dev',
      'staging',
      'prod',
    ]);
    expect(dev).toMatchObject({
      replicas: 1,
      resources: { cpuRequest: '200m', memoryRequest: '256Mi' },
    });
    expect(staging.replicas).toBe(2);
    expect(prod).toMatchObject({
      replicas: 3,
      resources: {
        cpuRequest: '500m',
        cpuLimit: '1000m',
        memoryRequest: '512Mi',
        memoryLimit: '1Gi',
      },
    });
  });

  it('applies layers in order, ignoring undefined fields', () => {
    const [prod] = resolveEnvironments(
      ['prod'],
      [{ name: 'prod', replicas: 4, resources: { cpuLimit: '2' } }],
      [
        {
          name: 'prod',
          replicas: undefined,
          resources: { memoryLimit: '2Gi' },
        },
      ],
    );
    expect(prod).toMatchObject({
      replicas: 4,
      resources: { cpuRequest: '500m', cpuLimit: '2', memoryLimit: '2Gi' },
    });
  });

  it('refuses duplicate or invalid names', () => {
    expect(() => resolveEnvironments(['dev', 'dev'])).toThrow(/twice/);
    expect(() => resolveEnvironments(['Dev'])).toThrow(/Invalid environment/);
  });
});

describe('buildGitOpsApp', () => {
  const build = (strategy: 'rolling' | 'canary' | 'blue-green') =>
    buildGitOpsApp({
      app: 'payments-api',
      image: 'harbor.example.com/acme/payments-api',
      tag: 'v1',
      gitopsPath: 'apps/payments-api',
      strategy,
      environments: resolveEnvironments(['dev', 'prod']),
    });

  it('writes the files of each strategy under base/ and overlays/<env>/', () => {
    expect(build('rolling').map(f => f.path)).toContain(
      'apps/payments-api/base/deployment.yaml',
    );
    const canary = build('canary').map(f => f.path);
    expect(canary).toContain('apps/payments-api/base/rollout.yaml');
    expect(canary).toContain('apps/payments-api/base/analysistemplate.yaml');
    expect(build('blue-green').map(f => f.path)).toContain(
      'apps/payments-api/base/service-preview.yaml',
    );
  });

  it('canary steps go 5% → 25% → 100% with an analysis step', () => {
    const rollout = parseYaml(
      build('canary').find(f => f.path.endsWith('rollout.yaml'))!.content,
    );
    const steps = rollout.spec.strategy.canary.steps;
    expect(
      steps.filter((s: any) => 'setWeight' in s).map((s: any) => s.setWeight),
    ).toEqual([5, 25, 100]);
    expect(steps.findIndex((s: any) => s.analysis)).toBeLessThan(
      steps.findIndex((s: any) => s.setWeight === 25),
    );
  });

  it('overlays set the image with the images transformer', () => {
    const overlay = parseYaml(
      build('rolling').find(
        f => f.path === 'apps/payments-api/overlays/prod/kustomization.yaml',
      )!.content,
    );
    expect(overlay.images).toEqual([
      {
        name: 'harbor.example.com/acme/payments-api',
        newName: 'harbor.example.com/acme/payments-api',
        newTag: 'v1',
      },
    ]);
    expect(overlay.namespace).toBe('payments-api-prod');
  });
});
