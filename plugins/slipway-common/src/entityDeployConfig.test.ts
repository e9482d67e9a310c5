import { Entity } from '@backstage/catalog-model';
import {
  hasSlipwayAnnotations,
  readEntityDeployConfig,
} from './entityDeployConfig';

const environments = [
  { name: 'dev', syncMode: 'auto' as const },
  { name: 'staging', syncMode: 'manual' as const },
  { name: 'prod', syncMode: 'manual' as const },
];

function entity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', namespace: 'default', annotations },
    spec: {},
  };
}

const complete = {
  'github.com/project-slug': 'acme/payments-api',
  'argocd/app-selector': 'slipway.dev/app=payments-api',
  'goharbor.io/repository-slug': 'acme/payments-api',
  'sonarqube.org/project-key': 'acme_payments-api',
  'slipway.dev/gitops-repo': 'https://git.example.com/acme/gitops.git',
  'slipway.dev/gitops-path': 'apps/payments-api',
  'slipway.dev/image': 'harbor.example.com/acme/payments-api',
};

describe('readEntityDeployConfig', () => {
  it('reads a fully annotated entity', () => {
    const config = readEntityDeployConfig(entity(complete), { environments });
    expect(config.entityRef).toBe('component:default/payments-api');
    expect(config.missing).toEqual([]);
    expect(config.gitops).toEqual({
      repo: 'https://git.example.com/acme/gitops.git',
      path: 'apps/payments-api',
    });
    expect(config.argocd?.appSelector).toBe('slipway.dev/app=payments-api');
    expect(config.ci).toEqual({
      provider: 'github',
      projectSlug: 'acme/payments-api',
    });
    expect(config.registry).toEqual({
      harborRepositorySlug: 'acme/payments-api',
    });
    expect(config.quality).toEqual({
      sonarqubeProjectKey: 'acme_payments-api',
    });
    expect(config.environments.map(e => e.name)).toEqual([
      'dev',
      'staging',
      'prod',
    ]);
  });

  it('names the annotations that are missing', () => {
    const config = readEntityDeployConfig(entity({}), { environments });
    expect(config.missing).toEqual([
      'slipway.dev/gitops-repo',
      'slipway.dev/gitops-path',
      'slipway.dev/image',
      'argocd/app-selector',
    ]);
    expect(hasSlipwayAnnotations(entity({}))).toBe(false);
    expect(hasSlipwayAnnotations(entity(complete))).toBe(true);
  });

  it('flags unusable values instead of trusting them', () => {
    const config = readEntityDeployConfig(
      entity({
        ...complete,
        'slipway.dev/gitops-repo': 'https://user:secret@git.example.com/x.git',
        'slipway.dev/gitops-path': '../../etc',
        'slipway.dev/image': 'harbor.example.com/acme/payments-api:latest',
      }),
      { environments },
    );
    const problems = Object.fromEntries(
      config.annotations
        .filter(a => a.problem)
        .map(a => [a.annotation, a.problem]),
    );
    expect(problems['slipway.dev/gitops-repo']).toMatch(/credentials/);
    expect(problems['slipway.dev/gitops-path']).toMatch(/\.\./);
    expect(problems['slipway.dev/image']).toMatch(/without tag/);
    expect(config.gitops).toBeUndefined();
    expect(config.image).toBeUndefined();
    expect(config.missing).toContain('slipway.dev/gitops-repo');
  });

  it('narrows environments by annotation and reports unknown ones', () => {
    const config = readEntityDeployConfig(
      entity({ ...complete, 'slipway.dev/environments': 'dev, prod, qa' }),
      { environments },
    );
    expect(config.environments.map(e => e.name)).toEqual(['dev', 'prod']);
    expect(
      config.annotations.find(a => a.annotation === 'slipway.dev/environments')
        ?.problem,
    ).toBe('unknown environments: qa');
  });
});
