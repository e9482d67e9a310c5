import { ConfigReader } from '@backstage/config';
import fs from 'fs';
import path from 'path';
import { parse as parseYaml } from 'yaml';
import { actionWorkspace } from '../__testUtils__/actionContext';
import { createArgoCdAppCreateAction, teamOfOwner } from './argocdAppCreate';

const IMAGE = 'harbor.example.com/acme/payments-api';
const BASE = {
  name: 'payments-api',
  owner: 'group:default/team-payments',
  repoUrl: 'https://github.com/acme/gitops.git',
  image: IMAGE,
};

describe('slipway:argocd:app:create', () => {
  const ws = actionWorkspace('slipway-argo-', createArgoCdAppCreateAction);
  const { run, read } = ws;

  it('writes one Application per environment: dev automated, the others manual', async () => {
    const outputs = await run(BASE);
    expect(outputs).toMatchObject({
      applications: [
        'payments-api-dev',
        'payments-api-staging',
        'payments-api-prod',
      ],
      project: 'team-payments',
      appSelector: 'slipway.dev/app=payments-api',
    });
    const dev = read('apps/payments-api/argocd/payments-api-dev.yaml');
    expect(dev.metadata).toMatchObject({
      name: 'payments-api-dev',
      namespace: 'argocd',
      labels: {
        'slipway.dev/app': 'payments-api',
        'slipway.dev/environment': 'dev',
      },
    });
    expect(dev.spec.syncPolicy.automated).toEqual({
      prune: true,
      selfHeal: true,
    });
    expect(dev.spec.destination).toEqual({
      server: 'https://kubernetes.default.svc',
      namespace: 'payments-api-dev',
    });
    const prod = read('apps/payments-api/argocd/payments-api-prod.yaml');
    expect(prod.spec.syncPolicy.automated).toBeUndefined();
    const project = read('projects/team-payments.yaml');
    expect(project.spec.sourceRepos).toEqual([
      'https://github.com/acme/gitops.git',
    ]);
    expect(project.spec.clusterResourceWhitelist).toEqual([]);
  });

  it('takes sync modes and namespaces from config', async () => {
    const config = new ConfigReader({
      slipway: {
        environments: [
          { name: 'dev', syncMode: 'auto' },
          { name: 'prod', syncMode: 'auto' },
        ],
        scaffolder: {
          environments: [{ name: 'prod', namespace: 'payments-live' }],
        },
      },
    });
    await run(BASE, config);
    const prod = read('apps/payments-api/argocd/payments-api-prod.yaml');
    expect(prod.spec.syncPolicy.automated).toBeDefined();
    expect(prod.spec.destination.namespace).toBe('payments-live');
  });

  it('merges into an existing AppProject of the team instead of replacing it', async () => {
    fs.mkdirSync(path.join(ws.workspace, 'projects'));
    fs.writeFileSync(
      path.join(ws.workspace, 'projects/team-payments.yaml'),
      '# hand-written\napiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: team-payments\nspec:\n  sourceRepos: [https://github.com/acme/gitops.git]\n  destinations:\n    - {server: https://kubernetes.default.svc, namespace: billing-dev}\n',
    );
    await run(BASE);
    const text = fs.readFileSync(
      path.join(ws.workspace, 'projects/team-payments.yaml'),
      'utf8',
    );
    expect(text.startsWith('# hand-written\n')).toBe(true);
    const project = parseYaml(text);
    expect(project.spec.sourceRepos).toEqual([
      'https://github.com/acme/gitops.git',
    ]);
    expect(project.spec.destinations.map((d: any) => d.namespace)).toEqual([
      'billing-dev',
      'payments-api-dev',
      'payments-api-staging',
      'payments-api-prod',
    ]);
  });

  it('writes a pull request preview ApplicationSet when asked', async () => {
    await run({
      ...BASE,
      previewEnvironments: true,
      previewRepository: 'acme/payments-api',
    });
    const set = read('apps/payments-api/argocd/payments-api-previews.yaml');
    expect(set.kind).toBe('ApplicationSet');
    expect(set.spec.generators[0].pullRequest.github).toMatchObject({
      owner: 'acme',
      repo: 'payments-api',
    });
    expect(set.spec.template.spec.destination.namespace).toBe(
      'payments-api-pr-{{.number}}',
    );
    expect(set.spec.template.spec.source.kustomize.images).toEqual([
      `${IMAGE}:{{.head_sha}}`,
    ]);
  });

  it('needs the service repository for previews', async () => {
    await expect(run({ ...BASE, previewEnvironments: true })).rejects.toThrow(
      /previewRepository/,
    );
  });

  it('refuses an unknown environment override', async () => {
    await expect(
      run({ ...BASE, environments: [{ name: 'qa' }] }),
    ).rejects.toThrow(/not configured/);
  });
});

describe('teamOfOwner', () => {
  it.each([
    ['group:default/team-payments', 'team-payments'],
    ['group:team-payments', 'team-payments'],
    ['team-payments', 'team-payments'],
  ])('%s → %s', (owner, team) => {
    expect(teamOfOwner(owner)).toBe(team);
  });

  it.each([
    'user:default/guest',
    'group:default/Team_Payments',
    'group:default/../x',
    '',
  ])('refuses %j', owner => {
    expect(() => teamOfOwner(owner)).toThrow();
  });
});
