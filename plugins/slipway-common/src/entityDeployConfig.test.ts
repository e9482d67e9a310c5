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

  it('accepts argocd/app-name in place of argocd/app-selector, as the docs say', () => {
    const { 'argocd/app-selector': _selector, ...rest } = complete;
    const config = readEntityDeployConfig(
      entity({ ...rest, 'argocd/app-name': 'payments-api-prod' }),
      { environments },
    );
    expect(config.missing).toEqual([]);
    expect(config.argocd).toEqual({
      appSelector: undefined,
      appName: 'payments-api-prod',
      instance: undefined,
    });
    expect(
      hasSlipwayAnnotations(entity({ 'argocd/app-name': 'payments-api-prod' })),
    ).toBe(true);
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

describe('readEntityDeployConfig: rejected annotations (mutation-tested)', () => {
  function problemOf(annotation: string, value: string) {
    const config = readEntityDeployConfig(
      entity({ ...complete, [annotation]: value }),
      { environments },
    );
    return config.annotations.find(a => a.annotation === annotation)?.problem;
  }

  it('lists every annotation it reads, once', () => {
    const config = readEntityDeployConfig(entity({}), { environments });
    expect(config.annotations.map(a => a.annotation)).toEqual([
      'slipway.dev/gitops-repo',
      'slipway.dev/gitops-path',
      'slipway.dev/image',
      'argocd/app-selector',
      'argocd/app-name',
      'argocd/instance-name',
      'slipway.dev/flux-selector',
      'slipway.dev/flux-cluster',
      'github.com/project-slug',
      'gitlab.com/project-slug',
      'goharbor.io/repository-slug',
      'sonarqube.org/project-key',
      'slipway.dev/environments',
    ]);
    expect(config.annotations.every(a => a.purpose.length > 0)).toBe(true);
  });

  describe('GitOps repository URL', () => {
    it.each([
      'https://git.example.com/acme/gitops.git',
      'http://127.0.0.1:7102/acme/gitops.git',
      'ssh://git.example.com/acme/gitops.git',
      'git://git.example.com/acme/gitops.git',
    ])('accepts %s', value => {
      expect(problemOf('slipway.dev/gitops-repo', value)).toBeUndefined();
    });

    it.each([
      [
        'a token as the username',
        'https://ghp_token@github.com/acme/gitops.git',
        'must not carry credentials',
      ],
      [
        'a password',
        'https://user:secret@github.com/acme/gitops.git',
        'must not carry credentials',
      ],
      [
        'another scheme',
        'file:///srv/gitops.git',
        'must be an http(s), ssh or git URL',
      ],
      ['not a URL', 'git.example.com/acme/gitops.git', 'must be a URL'],
    ])('refuses %s', (_, value, problem) => {
      expect(problemOf('slipway.dev/gitops-repo', value)).toBe(problem);
    });
  });

  it('says why a GitOps path is refused', () => {
    expect(problemOf('slipway.dev/gitops-path', '../../etc')).toBe(
      'Invalid GitOps path: must not contain ".."',
    );
  });

  it('reads a fleet of entities sharing a GitOps URL as it reads each alone (parsed once per URL and per path)', () => {
    const url = 'https://Git.Example.com/acme/gitops.git/';
    const read = (i: number, annotations: Record<string, string> = {}) =>
      readEntityDeployConfig(
        entity({
          ...complete,
          'slipway.dev/gitops-repo': url,
          'slipway.dev/gitops-path': `./apps//svc-${i}/`,
          ...annotations,
        }),
        { environments },
      );
    for (let i = 0; i < 300; i++) {
      expect(read(i).gitops).toEqual({
        repo: 'https://git.example.com/acme/gitops.git',
        path: `apps/svc-${i}`,
      });
    }
    // The same values again, after others: the same answers.
    expect(read(0).gitops?.path).toBe('apps/svc-0');
    expect(read(0).gitops?.path).toBe('apps/svc-0');
    const refused = read(1, { 'slipway.dev/gitops-path': '../svc-1' });
    expect(refused.gitops).toBeUndefined();
    expect(refused.missing).toContain('slipway.dev/gitops-path');
    expect(read(1).gitops?.path).toBe('apps/svc-1');
    for (let i = 0; i < 2; i++) {
      const bad = read(i, {
        'slipway.dev/gitops-repo': 'https://t@git.example.com/acme/gitops.git',
      });
      expect(bad.gitops).toBeUndefined();
      expect(
        bad.annotations.find(a => a.annotation === 'slipway.dev/gitops-repo')
          ?.problem,
      ).toBe('must not carry credentials');
    }
  });

  describe('repository slugs (GitHub, GitLab, Harbor)', () => {
    const slugAnnotations = [
      'github.com/project-slug',
      'gitlab.com/project-slug',
      'goharbor.io/repository-slug',
    ];

    it.each(slugAnnotations)('%s accepts owner/name and nested groups', a => {
      expect(problemOf(a, 'acme/payments-api')).toBeUndefined();
      expect(problemOf(a, 'acme/platform/payments_api.v2')).toBeUndefined();
    });

    it.each(
      slugAnnotations.flatMap(a =>
        [
          'payments-api',
          'acme/..',
          '../acme',
          'acme/../../admin',
          '/acme/payments-api',
          'acme/payments-api/',
          'acme//payments-api',
          'acme/payments api',
          'acme/payments-api?ref=x',
        ].map(value => [a, value]),
      ),
    )('%s refuses %j', (a, value) => {
      expect(problemOf(a, value)).toBe('must look like owner/name');
    });
  });

  describe('Argo CD and SonarQube annotations', () => {
    it.each([
      'slipway.dev/app=payments-api',
      'app=payments-api,slipway.dev/environment=prod',
      'a=b,c=d,e=f',
    ])('accepts the selector %j', value => {
      expect(problemOf('argocd/app-selector', value)).toBeUndefined();
    });

    it.each([
      'slipway.dev/app',
      'app=payments-api,',
      ',app=payments-api',
      'app=payments api',
      'app==x',
      'app=x;rm -rf',
    ])('refuses the selector %j', value => {
      expect(problemOf('argocd/app-selector', value)).toBe(
        'must be a label selector like slipway.dev/app=<app>',
      );
    });

    it('bounds Argo CD Application names', () => {
      const name = (value: string) => problemOf('argocd/app-name', value);
      expect(name('a')).toBeUndefined();
      expect(name('payments-api.prod')).toBeUndefined();
      expect(name('a'.repeat(253))).toBeUndefined();
      for (const bad of [
        'a'.repeat(254),
        'Payments',
        '-payments',
        'payments-',
        'payments_api',
        'x payments',
        'payments x',
      ]) {
        expect(name(bad)).toBe('must be an Argo CD Application name');
      }
    });

    it('bounds Argo CD instance names', () => {
      const instance = (value: string) =>
        problemOf('argocd/instance-name', value);
      expect(instance('argocd-eu.1_A')).toBeUndefined();
      expect(instance('a'.repeat(63))).toBeUndefined();
      for (const bad of ['a'.repeat(64), 'eu west', 'eu/west']) {
        expect(instance(bad)).toBe('must be an instance name');
      }
    });

    it('bounds SonarQube project keys', () => {
      const key = (value: string) =>
        problemOf('sonarqube.org/project-key', value);
      expect(key('acme:payments-api_1.0')).toBeUndefined();
      expect(key('a'.repeat(400))).toBeUndefined();
      for (const bad of ['a'.repeat(401), 'acme payments', 'acme/payments']) {
        expect(key(bad)).toBe('must be a project key');
      }
    });
  });

  it('trims values before checking them', () => {
    const config = readEntityDeployConfig(
      entity({
        ...complete,
        'slipway.dev/image': '  harbor.example.com/acme/payments-api \n',
      }),
      { environments },
    );
    expect(config.image).toBe('harbor.example.com/acme/payments-api');
  });

  it('ignores empty items in the environment list and reports every unknown one', () => {
    const narrowed = readEntityDeployConfig(
      entity({ ...complete, 'slipway.dev/environments': 'dev, ,prod,' }),
      { environments },
    );
    expect(narrowed.environments.map(e => e.name)).toEqual(['dev', 'prod']);
    expect(
      narrowed.annotations.find(
        a => a.annotation === 'slipway.dev/environments',
      )?.problem,
    ).toBeUndefined();

    const unknown = readEntityDeployConfig(
      entity({ ...complete, 'slipway.dev/environments': 'qa, Prod, dev' }),
      { environments },
    );
    expect(unknown.environments.map(e => e.name)).toEqual(['dev']);
    expect(
      unknown.annotations.find(a => a.annotation === 'slipway.dev/environments')
        ?.problem,
    ).toBe('unknown environments: qa, Prod');
  });

  it('builds each part of the view only from valid annotations', () => {
    const full = readEntityDeployConfig(entity(complete), {
      environments,
      providers: [{ kind: 'ci', id: 'github' }],
    });
    expect(full.image).toBe('harbor.example.com/acme/payments-api');
    expect(full.providers).toEqual([{ kind: 'ci', id: 'github' }]);

    const bare = readEntityDeployConfig(
      entity({
        'slipway.dev/gitops-repo': complete['slipway.dev/gitops-repo'],
      }),
      { environments },
    );
    expect(bare.gitops).toBeUndefined();
    expect(bare.image).toBeUndefined();
    expect(bare.argocd).toBeUndefined();
    expect(bare.ci).toBeUndefined();
    expect(bare.registry).toBeUndefined();
    expect(bare.quality).toBeUndefined();
    expect(bare.providers).toEqual([]);

    const pathOnly = readEntityDeployConfig(
      entity({ 'slipway.dev/gitops-path': 'apps/payments-api' }),
      { environments },
    );
    expect(pathOnly.gitops).toBeUndefined();
  });

  it('reads GitLab CI when there is no GitHub slug, and prefers GitHub', () => {
    const { 'github.com/project-slug': _, ...withoutGithub } = complete;
    const gitlab = readEntityDeployConfig(
      entity({
        ...withoutGithub,
        'gitlab.com/project-slug': 'acme/team/payments',
      }),
      { environments },
    );
    expect(gitlab.ci).toEqual({
      provider: 'gitlab',
      projectSlug: 'acme/team/payments',
    });
    const both = readEntityDeployConfig(
      entity({ ...complete, 'gitlab.com/project-slug': 'acme/team/payments' }),
      { environments },
    );
    expect(both.ci).toEqual({
      provider: 'github',
      projectSlug: 'acme/payments-api',
    });
  });

  it('reads an Argo CD Application name and instance instead of a selector', () => {
    const { 'argocd/app-selector': _, ...withoutSelector } = complete;
    const config = readEntityDeployConfig(
      entity({
        ...withoutSelector,
        'argocd/app-name': 'payments-api-prod',
        'argocd/instance-name': 'eu',
      }),
      { environments },
    );
    expect(config.argocd).toEqual({
      appSelector: undefined,
      appName: 'payments-api-prod',
      instance: 'eu',
    });
    expect(config.missing).toEqual([]);
  });
});

describe('readEntityDeployConfig: Flux (issue 15)', () => {
  const { 'argocd/app-selector': _argo, ...withoutArgo } = complete;

  it('reads a Flux selector and cluster in place of Argo CD', () => {
    const config = readEntityDeployConfig(
      entity({
        ...withoutArgo,
        'slipway.dev/flux-selector': 'slipway.dev/app=payments-api',
        'slipway.dev/flux-cluster': 'eu-1',
      }),
      { environments },
    );
    expect(config.flux).toEqual({
      selector: 'slipway.dev/app=payments-api',
      cluster: 'eu-1',
    });
    expect(config.argocd).toBeUndefined();
    expect(config.missing).toEqual([]);
  });

  it('defaults the cluster (no key) and wins over Argo CD annotations', () => {
    const config = readEntityDeployConfig(
      entity({
        ...complete,
        'slipway.dev/flux-selector': 'slipway.dev/app=payments-api',
      }),
      { environments },
    );
    expect(config.flux).toEqual({ selector: 'slipway.dev/app=payments-api' });
    expect(Object.keys(config.flux!)).toEqual(['selector']);
    expect(config.argocd).toBeUndefined();
  });

  it('counts the Flux selector as a Slipway annotation', () => {
    expect(
      hasSlipwayAnnotations(
        entity({ 'slipway.dev/flux-selector': 'slipway.dev/app=payments-api' }),
      ),
    ).toBe(true);
    expect(
      hasSlipwayAnnotations(entity({ 'slipway.dev/flux-cluster': 'eu-1' })),
    ).toBe(false);
  });

  it('names the Flux selector as missing when the one given is unusable', () => {
    const config = readEntityDeployConfig(
      entity({ ...withoutArgo, 'slipway.dev/flux-selector': 'app in (x)' }),
      { environments },
    );
    expect(config.missing).toEqual(['slipway.dev/flux-selector']);
    expect(config.flux).toBeUndefined();
    expect(
      config.annotations.find(
        a => a.annotation === 'slipway.dev/flux-selector',
      ),
    ).toMatchObject({
      value: 'app in (x)',
      problem: 'must be a label selector like slipway.dev/app=<app>',
      purpose:
        'Label selector of the Flux Kustomizations (in place of Argo CD)',
    });
  });

  it('names the Argo CD selector as missing without any delivery annotation', () => {
    const blanks: Record<string, string>[] = [
      {},
      { 'slipway.dev/flux-selector': '  ' },
    ];
    for (const blank of blanks) {
      const config = readEntityDeployConfig(
        entity({ ...withoutArgo, ...blank }),
        { environments },
      );
      expect(config.missing).toEqual(['argocd/app-selector']);
      expect(config.flux).toBeUndefined();
    }
  });

  it('keeps Argo CD when the Flux selector is unusable but Argo CD is set', () => {
    const config = readEntityDeployConfig(
      entity({ ...complete, 'slipway.dev/flux-selector': 'nope' }),
      { environments },
    );
    expect(config.missing).toEqual([]);
    expect(config.flux).toBeUndefined();
    expect(config.argocd?.appSelector).toBe('slipway.dev/app=payments-api');
  });

  it.each([
    ['slipway.dev/app=payments-api', undefined],
    ['slipway.dev/app=payments-api,slipway.dev/environment=dev', undefined],
    ['slipway.dev/app', 'must be a label selector like slipway.dev/app=<app>'],
    ['a=b,', 'must be a label selector like slipway.dev/app=<app>'],
    ['x a=b', 'must be a label selector like slipway.dev/app=<app>'],
    ['a=b c', 'must be a label selector like slipway.dev/app=<app>'],
  ])('checks the Flux selector %s', (value, problem) => {
    const config = readEntityDeployConfig(
      entity({ ...withoutArgo, 'slipway.dev/flux-selector': value }),
      { environments },
    );
    expect(
      config.annotations.find(a => a.annotation === 'slipway.dev/flux-selector')
        ?.problem,
    ).toBe(problem);
  });

  it.each([
    ['eu-1', undefined],
    ['a'.repeat(63), undefined],
    ['a'.repeat(64), 'must be a cluster name'],
    ['eu 1', 'must be a cluster name'],
    ['x/y', 'must be a cluster name'],
  ])('checks the Flux cluster %s', (value, problem) => {
    const config = readEntityDeployConfig(
      entity({
        ...withoutArgo,
        'slipway.dev/flux-selector': 'slipway.dev/app=payments-api',
        'slipway.dev/flux-cluster': value,
      }),
      { environments },
    );
    const finding = config.annotations.find(
      a => a.annotation === 'slipway.dev/flux-cluster',
    );
    expect(finding?.purpose).toBe('Flux cluster, when several are configured');
    expect(finding?.problem).toBe(problem);
    expect(config.flux?.cluster).toBe(problem ? undefined : value);
  });
});
