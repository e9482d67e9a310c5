import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { makeTempDir, run } from '../__testUtils__/sandboxHarness';
import { ENVIRONMENTS } from '../defaults';
import { GitRepositories } from '../git/GitRepositories';
import { validateFluxObject } from '@slipway/vendor-schemas';
import { seedMissingServices, seedWorld } from './seedWorld';
import { SEED_SERVICES } from './world';

// Integration tests: they start servers, git and kubectl on a 2-core machine.
jest.setTimeout(60_000);

describe('seedWorld', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function seed(): Promise<{ repos: GitRepositories; dir: string }> {
    const dir = makeTempDir('seed');
    dirs.push(dir);
    const repos = GitRepositories.create({ dataDir: dir });
    await seedWorld(repos, { owner: 'acme', registryHost: '127.0.0.1:7103' });
    return { repos, dir };
  }

  it('is deterministic and every overlay renders with kubectl kustomize', async () => {
    const [first, second] = await Promise.all([seed(), seed()]);
    const heads = await Promise.all(
      [first, second].map(({ repos }) =>
        repos.resolveCommit('acme', 'gitops', 'main'),
      ),
    );
    expect(heads[0]).toMatch(/^[0-9a-f]{40}$/);
    expect(heads[1]).toBe(heads[0]);
    for (const service of SEED_SERVICES) {
      expect(
        await second.repos.resolveCommit('acme', service.name, 'main'),
      ).toBe(await first.repos.resolveCommit('acme', service.name, 'main'));
    }

    const clone = path.join(first.dir, 'clone');
    await run('git', [
      'clone',
      '--quiet',
      path.join(first.dir, 'git/acme/gitops.git'),
      clone,
    ]);
    for (const service of SEED_SERVICES) {
      const shas = (
        await first.repos.log('acme', service.name, 'main')
      ).reverse();
      for (const env of ENVIRONMENTS) {
        const folder = path.join(clone, 'apps', service.name, 'overlays', env);
        const kustomization = YAML.parse(
          fs.readFileSync(path.join(folder, 'kustomization.yaml'), 'utf8'),
        );
        expect(kustomization.namespace).toBe(`${service.name}-${env}`);
        expect(kustomization.resources).toEqual(['../../base']);
        const [image] = kustomization.images;
        expect(image.name).toBe(`127.0.0.1:7103/acme/${service.name}`);
        expect(image.newTag).toBe(shas[service.environments[env]]);
        expect(
          image.digest === undefined
            ? 'none'
            : /^sha256:[a-f0-9]{64}$/.test(image.digest),
        ).toBe(env === 'dev' ? 'none' : true);

        const rendered = YAML.parseAllDocuments(
          (await run('kubectl', ['kustomize', folder])).stdout,
        ).map(d => d.toJS());
        const workload = rendered.find(
          o =>
            o.kind ===
            (service.workload === 'Rollout' ? 'Rollout' : 'Deployment'),
        );
        expect(workload.metadata.namespace).toBe(`${service.name}-${env}`);
        expect(workload.spec.template.spec.containers[0].image).toContain(
          `:${image.newTag}`,
        );
        expect(rendered.some(o => o.kind === 'Service')).toBe(true);
      }
    }

    // The Flux layout renders from the cluster's entry point, as Flux's
    // kustomize-controller builds it, and its Flux objects validate.
    const flux = YAML.parseAllDocuments(
      (
        await run('kubectl', [
          'kustomize',
          path.join(clone, 'flux/clusters/sandbox'),
        ])
      ).stdout,
    ).map(d => d.toJS());
    const fluxObjects = flux.filter(o =>
      o.apiVersion.includes('toolkit.fluxcd.io'),
    );
    expect(
      fluxObjects.map(
        o => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`,
      ),
    ).toEqual(
      expect.arrayContaining([
        'GitRepository/team-payments/gitops',
        'Kustomization/team-payments/ledger-api-dev',
        'Kustomization/team-payments/ledger-api-staging',
        'Kustomization/team-payments/ledger-api-prod',
      ]),
    );
    expect(fluxObjects).toHaveLength(4);
    expect(validateFluxObject(...fluxObjects)).toEqual([]);
    // No Argo CD Application for the service on Flux.
    expect(fs.existsSync(path.join(clone, 'apps/ledger-api/argocd'))).toBe(
      false,
    );
  }, 90_000);

  it('adds a service that joined the seed to a data dir seeded without it', async () => {
    const { repos } = await seed();
    expect(
      await seedMissingServices(repos, {
        owner: 'acme',
        registryHost: '127.0.0.1:7103',
      }),
    ).toEqual([]);
    const ledger = path.join(repos.repoPath('acme', 'ledger-api'));
    fs.rmSync(ledger, { recursive: true, force: true });
    expect(
      await seedMissingServices(repos, {
        owner: 'acme',
        registryHost: '127.0.0.1:7103',
      }),
    ).toEqual(['ledger-api']);
    const head = (await repos.resolveCommit('acme', 'gitops', 'main'))!;
    expect((await repos.getCommit('acme', 'gitops', head))?.message).toContain(
      'Add ledger-api',
    );
    const shas = (await repos.log('acme', 'ledger-api', 'main')).reverse();
    const overlay = YAML.parse(
      (await repos.readFile(
        'acme',
        'gitops',
        head,
        'apps/ledger-api/overlays/staging/kustomization.yaml',
      ))!.toString('utf8'),
    );
    expect(overlay.images[0].newTag).toBe(shas[1]);
  }, 90_000);
});
