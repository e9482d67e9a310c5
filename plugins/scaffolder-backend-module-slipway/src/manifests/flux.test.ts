import { parseAllDocuments } from 'yaml';
import {
  assertFluxTenancy,
  buildFluxObjects,
  FluxAppOptions,
  fluxFiles,
  fluxSelector,
} from './flux';

const OPTIONS: FluxAppOptions = {
  app: 'ledger-api',
  team: 'team-payments',
  repoUrl: 'https://github.com/acme/gitops.git',
  gitopsPath: 'apps/ledger-api',
  environments: [
    { name: 'dev', syncMode: 'auto' },
    { name: 'staging', syncMode: 'manual' },
    { name: 'prod', syncMode: 'manual' },
  ],
};

describe('buildFluxObjects', () => {
  it('builds one Kustomization per environment by the contract', () => {
    const objects = buildFluxObjects(OPTIONS);
    expect(objects.kustomizations.map(k => k.metadata.name)).toEqual([
      'ledger-api-dev',
      'ledger-api-staging',
      'ledger-api-prod',
    ]);
    const [dev, staging, prod] = objects.kustomizations;
    expect(dev).toEqual({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: {
        name: 'ledger-api-dev',
        namespace: 'team-payments',
        labels: {
          'slipway.dev/app': 'ledger-api',
          'slipway.dev/environment': 'dev',
        },
      },
      spec: {
        interval: '1m',
        path: './apps/ledger-api/overlays/dev',
        sourceRef: { kind: 'GitRepository', name: 'gitops' },
        targetNamespace: 'ledger-api-dev',
        serviceAccountName: 'flux-reconciler',
        prune: true,
        timeout: '5m',
        healthChecks: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: 'ledger-api',
            namespace: 'ledger-api-dev',
          },
        ],
      },
    });
    expect(staging.spec.interval).toBe('24h');
    expect(prod.spec.interval).toBe('24h');
    expect(objects.team.gitRepository.spec).toEqual({
      interval: '1m',
      url: 'https://github.com/acme/gitops.git',
      ref: { branch: 'main' },
    });
    expect(objects.targets.roleBindings.map(b => b.metadata.namespace)).toEqual(
      ['ledger-api-dev', 'ledger-api-staging', 'ledger-api-prod'],
    );
    for (const binding of objects.targets.roleBindings) {
      expect(binding.roleRef).toEqual({
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'admin',
      });
      expect(binding.subjects).toEqual([
        {
          kind: 'ServiceAccount',
          name: 'flux-reconciler',
          namespace: 'team-payments',
        },
      ]);
    }
    expect(fluxSelector('ledger-api')).toBe('slipway.dev/app=ledger-api');
  });

  it('health-checks the Rollout of canary and blue-green services', () => {
    const objects = buildFluxObjects({ ...OPTIONS, workloadKind: 'Rollout' });
    expect(objects.kustomizations[0].spec.healthChecks[0]).toMatchObject({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
    });
  });

  it.each([
    ['an app name that is no DNS label', { app: 'Ledger_API' }],
    ['a team that is no DNS label', { team: 'team/payments' }],
    ['a path escaping the repository', { gitopsPath: '../etc' }],
    ['a branch with ..', { branch: 'main/../x' }],
    ['a URL with credentials', { repoUrl: 'https://u:p@github.com/a/b.git' }],
    [
      'two environments in one namespace',
      {
        environments: [
          { name: 'dev', syncMode: 'auto' as const, namespace: 'shared' },
          { name: 'prod', syncMode: 'manual' as const, namespace: 'shared' },
        ],
      },
    ],
  ])('refuses %s', (_label, override) => {
    expect(() => buildFluxObjects({ ...OPTIONS, ...override })).toThrow(
      expect.objectContaining({ name: 'InputError' }),
    );
  });
});

describe('assertFluxTenancy', () => {
  it('accepts what the allowlists allow', () => {
    expect(() =>
      assertFluxTenancy(buildFluxObjects(OPTIONS), {
        allowedSourceRepos: ['https://github.com/acme/*'],
        allowedTargetNamespaces: ['ledger-api-*'],
      }),
    ).not.toThrow();
  });

  it.each([
    [
      'a source repository outside the allowlist',
      OPTIONS,
      { allowedSourceRepos: ['https://github.com/other/*'] },
      /source repository/,
    ],
    [
      'a target namespace outside the allowlist',
      OPTIONS,
      { allowedTargetNamespaces: ['billing-*'] },
      /not in the allowed target namespaces/,
    ],
    [
      'a reserved target namespace',
      {
        ...OPTIONS,
        environments: [
          { name: 'dev', syncMode: 'auto' as const, namespace: 'kube-system' },
        ],
      },
      {},
      /kube-system is reserved/,
    ],
    [
      'a reserved team namespace',
      { ...OPTIONS, team: 'flux-system' },
      {},
      /team namespace flux-system is reserved/,
    ],
  ])('refuses %s', (_label, options, policy, message) => {
    expect(() => assertFluxTenancy(buildFluxObjects(options), policy)).toThrow(
      message,
    );
  });

  it('refuses a cross-namespace source reference and a foreign role', () => {
    const objects = buildFluxObjects(OPTIONS);
    objects.kustomizations[0].spec.sourceRef.namespace = 'flux-system';
    objects.targets.roleBindings[0].roleRef.name = 'cluster-admin';
    expect(() => assertFluxTenancy(objects, {})).toThrow(
      /cross-namespace source references are not allowed/,
    );
    expect(() => assertFluxTenancy(objects, {})).toThrow(
      /only RoleBindings to the admin role/,
    );
  });
});

describe('fluxFiles', () => {
  it('lays out sources, releases and the cluster entry point', () => {
    const files = fluxFiles(
      { app: 'ledger-api', team: 'team-payments', cluster: 'sandbox' },
      buildFluxObjects(OPTIONS),
    );
    expect(files.map(f => f.path).sort()).toEqual([
      'flux/clusters/sandbox/kustomization.yaml',
      'flux/releases/ledger-api/dev.yaml',
      'flux/releases/ledger-api/kustomization.yaml',
      'flux/releases/ledger-api/prod.yaml',
      'flux/releases/ledger-api/staging.yaml',
      'flux/sources/team-payments/gitrepository.yaml',
      'flux/sources/team-payments/kustomization.yaml',
      'flux/sources/team-payments/ledger-api.yaml',
      'flux/sources/team-payments/namespace.yaml',
      'flux/sources/team-payments/serviceaccount.yaml',
    ]);
    const cluster = files.find(f => f.path.startsWith('flux/clusters/'))!;
    expect(parseAllDocuments(cluster.content)[0].toJS()).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['../../sources/team-payments', '../../releases/ledger-api'],
    });
    const targets = files.find(f => f.path.endsWith('/ledger-api.yaml'))!;
    expect(parseAllDocuments(targets.content).map(d => d.toJS().kind)).toEqual([
      'Namespace',
      'Namespace',
      'Namespace',
      'RoleBinding',
      'RoleBinding',
      'RoleBinding',
    ]);
    const all = files.map(f => f.content).join('\n');
    expect(all).not.toMatch(/cluster-admin|ClusterRoleBinding/);
  });

  it('refuses a cluster name that is no DNS label', () => {
    expect(() =>
      fluxFiles(
        { app: 'ledger-api', team: 'team-payments', cluster: '../x' },
        buildFluxObjects(OPTIONS),
      ),
    ).toThrow(/Flux cluster/);
  });
});
