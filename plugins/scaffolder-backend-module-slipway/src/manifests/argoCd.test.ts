import {
  assertArgoCdTenancy,
  buildArgoCdObjects,
  mergeAppProject,
} from './argoCd';

const options = {
  app: 'payments-api',
  team: 'team-payments',
  repoUrl: 'https://github.com/acme/gitops.git',
  gitopsPath: 'apps/payments-api',
  image: 'harbor.example.com/acme/payments-api',
  environments: [
    { name: 'dev', syncMode: 'auto' as const },
    { name: 'prod', syncMode: 'manual' as const },
  ],
};

describe('buildArgoCdObjects', () => {
  it('restricts the AppProject to the GitOps repository and the app namespaces', () => {
    const objects = buildArgoCdObjects(options);
    expect(objects.project.spec.sourceRepos).toEqual([options.repoUrl]);
    expect(objects.project.spec.destinations).toEqual([
      {
        server: 'https://kubernetes.default.svc',
        namespace: 'payments-api-dev',
      },
      {
        server: 'https://kubernetes.default.svc',
        namespace: 'payments-api-prod',
      },
    ]);
    expect(objects.applications.map(a => a.spec.project)).toEqual([
      'team-payments',
      'team-payments',
    ]);
  });

  it.each([
    [{ team: 'default' }],
    [{ repoUrl: 'https://user:pw@github.com/acme/gitops.git' }],
    [{ targetRevision: '../../etc' }],
  ])('refuses %j (at build time or by the tenancy check)', override => {
    expect(() => {
      const objects = buildArgoCdObjects({ ...options, ...override });
      assertArgoCdTenancy(objects, {});
    }).toThrow();
  });
});

describe('assertArgoCdTenancy', () => {
  const policy = {
    allowedDestinations: [
      { server: 'https://kubernetes.default.svc', namespace: 'payments-*' },
    ],
    allowedSourceRepos: ['https://github.com/acme/*'],
  };

  it.each([
    'http://git.example.com/git/../../etc',
    'http://git.example.com/git/acme/../../other/repo.git',
    'http://git.example.com/git/acme/%2e%2e/%2e%2e/other/repo.git',
    'http://git.example.com/git/acme%2F..%2F..%2Fother/repo.git',
    'http://git.example.com/git/./acme/../other/repo.git',
  ])(
    'refuses %s against the allowlist http://git.example.com/git/* and writes nothing (THREATS 5, 35; issue 10 finding)',
    repoUrl => {
      let objects: ReturnType<typeof buildArgoCdObjects> | undefined;
      expect(() => {
        objects = buildArgoCdObjects({ ...options, repoUrl });
        assertArgoCdTenancy(objects, {
          allowedSourceRepos: ['http://git.example.com/git/*'],
        });
      }).toThrow(/"\." or "\.\." segments|encoded slashes/);
      expect(objects).toBeUndefined();
    },
  );

  it('compares and writes the normalised URL (host case, default port, trailing slash)', () => {
    const objects = buildArgoCdObjects({
      ...options,
      repoUrl: 'https://GitHub.com:443/acme/gitops.git/',
    });
    expect(objects.project.spec.sourceRepos).toEqual([
      'https://github.com/acme/gitops.git',
    ]);
    expect(objects.applications[0].spec.source.repoURL).toBe(
      'https://github.com/acme/gitops.git',
    );
    expect(() => assertArgoCdTenancy(objects, policy)).not.toThrow();
  });

  it('passes objects inside the allowlist', () => {
    expect(() =>
      assertArgoCdTenancy(buildArgoCdObjects(options), policy),
    ).not.toThrow();
  });

  it('checks preview namespaces as patterns', () => {
    const objects = buildArgoCdObjects({
      ...options,
      preview: { provider: 'github', repository: 'acme/payments-api' },
    });
    expect(() => assertArgoCdTenancy(objects, policy)).not.toThrow();
    expect(() =>
      assertArgoCdTenancy(objects, {
        ...policy,
        allowedDestinations: [
          {
            server: 'https://kubernetes.default.svc',
            namespace: 'payments-api-dev',
          },
        ],
      }),
    ).toThrow(/payments-api-pr-\*/);
  });

  it('names every problem', () => {
    const objects = buildArgoCdObjects({
      ...options,
      repoUrl: 'https://gitlab.com/evil/gitops.git',
      environments: [{ name: 'dev', syncMode: 'auto', namespace: 'argocd' }],
    });
    expect(() => assertArgoCdTenancy(objects, policy)).toThrow(
      /source repository .*; namespace argocd is reserved/,
    );
  });
});

describe('mergeAppProject', () => {
  const generated = buildArgoCdObjects(options).project;

  it('adds what is missing, keeps comments, never removes', () => {
    const existing =
      '# platform\napiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: team-payments\nspec:\n  sourceRepos:\n    - https://github.com/acme/gitops.git # main\n  destinations:\n    - server: https://kubernetes.default.svc\n      namespace: billing-dev\n';
    const merged = mergeAppProject(existing, generated);
    expect(merged.changed).toBe(true);
    expect(merged.content).toContain('# platform');
    expect(merged.content).toContain('# main');
    expect(merged.content).toContain('namespace: billing-dev');
    expect(merged.content).toContain('namespace: payments-api-prod');
    expect(mergeAppProject(merged.content, generated)).toEqual({
      content: merged.content,
      changed: false,
    });
  });

  it('refuses a file that is not the same AppProject', () => {
    expect(() =>
      mergeAppProject(
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: team-payments\n',
        generated,
      ),
    ).toThrow(/not the AppProject/);
  });
});
