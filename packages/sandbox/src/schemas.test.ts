/* eslint-disable jest/no-conditional-expect */
// Loops over seeded artifacts check each kind (index, signed, unsigned) where it occurs.
import {
  ARGOCD,
  ARGOCD_WRITE,
  getJson,
  GITHUB,
  HARBOR,
  sendJson,
  SONAR,
  startTestSandbox,
  TestSandbox,
} from './__testUtils__/sandboxHarness';
import {
  argoCdValidator,
  githubValidator,
  harborValidator,
  modelProblems,
  ociValidator,
} from '@slipway/vendor-schemas';

// Integration tests: they start servers, git and kubectl on a 2-core machine.
jest.setTimeout(60_000);

const REPORT = 'application/vnd.security.vulnerability.report; version=1.1';

describe('answers match the vendors’ published schemas', () => {
  let sandbox: TestSandbox;
  let urls: TestSandbox['sandbox']['urls'];

  beforeAll(async () => {
    sandbox = await startTestSandbox({ timings: { syncOperationMs: 2000 } });
    urls = sandbox.sandbox.urls;
  }, 90_000);
  afterAll(() => sandbox.close());

  describe('Argo CD', () => {
    const argo = argoCdValidator();

    it('Applications validate with @kubernetes-models/argo-cd, lists and other payloads with the swagger', async () => {
      const list = await getJson(`${urls.argocd}/api/v1/applications`, ARGOCD);
      expect(argo.errors('v1alpha1ApplicationList', list)).toEqual([]);
      expect(list.items).toHaveLength(15);
      for (const item of list.items) {
        expect(modelProblems('Application', item)).toEqual([]);
        expect(argo.errors('v1alpha1Application', item)).toEqual([]);
      }
      const selected = await getJson(
        `${urls.argocd}/api/v1/applications?selector=${encodeURIComponent(
          'slipway.dev/app=orders-service',
        )}`,
        ARGOCD,
      );
      expect(selected.items.map((a: any) => a.metadata.name).sort()).toEqual([
        'orders-service-dev',
        'orders-service-prod',
        'orders-service-staging',
      ]);
      const inSelector = await getJson(
        `${urls.argocd}/api/v1/applications?selector=${encodeURIComponent(
          'slipway.dev/environment in (prod),slipway.dev/app!=payments-api',
        )}&projects=team-storefront`,
        ARGOCD,
      );
      expect(inSelector.items.map((a: any) => a.metadata.name).sort()).toEqual([
        'checkout-web-prod',
        'inventory-api-prod',
        'notifications-worker-prod',
      ]);

      const session = await sendJson(
        'POST',
        `${urls.argocd}/api/v1/session`,
        {},
        {
          username: 'admin',
          password: 'sandbox-argocd-password',
        },
      );
      expect(argo.errors('sessionSessionResponse', session.body)).toEqual([]);

      for (const name of [
        'orders-service-prod',
        'inventory-api-staging',
        'notifications-worker-prod',
      ]) {
        const tree = await getJson(
          `${urls.argocd}/api/v1/applications/${name}/resource-tree`,
          ARGOCD,
        );
        expect(argo.errors('v1alpha1ApplicationTree', tree)).toEqual([]);
        const managed = await getJson(
          `${urls.argocd}/api/v1/applications/${name}/managed-resources`,
          ARGOCD,
        );
        expect(
          argo.errors('applicationManagedResourcesResponse', managed),
        ).toEqual([]);
      }
      const app = await getJson(
        `${urls.argocd}/api/v1/applications/payments-api-prod`,
        ARGOCD,
      );
      const metadata = await getJson(
        `${urls.argocd}/api/v1/applications/payments-api-prod/revisions/${app.status.sync.revision}/metadata`,
        ARGOCD,
      );
      expect(argo.errors('v1alpha1RevisionMetadata', metadata)).toEqual([]);
      expect(metadata.author).toContain('<');
    });

    it('the seeded canary is a valid Rollout at 25% in the tree and in managed-resources', async () => {
      const tree = await getJson(
        `${urls.argocd}/api/v1/applications/orders-service-prod/resource-tree`,
        ARGOCD,
      );
      const node = tree.nodes.find((n: any) => n.kind === 'Rollout');
      expect(node.group).toBe('argoproj.io');
      expect(node.health.status).toBe('Suspended');
      expect(node.info).toEqual(
        expect.arrayContaining([{ name: 'Set Weight', value: '25' }]),
      );
      const managed = await getJson(
        `${urls.argocd}/api/v1/applications/orders-service-prod/managed-resources`,
        ARGOCD,
      );
      const item = managed.items.find((i: any) => i.kind === 'Rollout');
      const live = JSON.parse(item.liveState);
      expect(modelProblems('Rollout', live)).toEqual([]);
      expect(modelProblems('Rollout', JSON.parse(item.targetState))).toEqual(
        [],
      );
      expect(live.status.currentStepIndex).toBe(3);
      expect(live.status.canary.weights.canary.weight).toBe(25);
      expect(
        live.spec.strategy.canary.steps
          .map((s: any) => s.setWeight)
          .filter(Boolean),
      ).toEqual([5, 25, 100]);
    });

    it('seeded twists: Degraded staging, drifted prod', async () => {
      const degraded = await getJson(
        `${urls.argocd}/api/v1/applications/inventory-api-staging`,
        ARGOCD,
      );
      expect(degraded.status.health.status).toBe('Degraded');
      const drifted = await getJson(
        `${urls.argocd}/api/v1/applications/notifications-worker-prod`,
        ARGOCD,
      );
      expect(drifted.status.sync.status).toBe('OutOfSync');
      expect(drifted.spec.syncPolicy.automated).toBeUndefined();
      const dev = await getJson(
        `${urls.argocd}/api/v1/applications/notifications-worker-dev`,
        ARGOCD,
      );
      expect(dev.spec.syncPolicy.automated).toEqual({
        prune: true,
        selfHeal: true,
      });
      expect(dev.metadata.labels).toEqual({
        'slipway.dev/app': 'notifications-worker',
        'slipway.dev/environment': 'dev',
      });
      expect(dev.spec.project).toBe('team-storefront');
      expect(dev.spec.source.repoURL).toBe(`${urls.git}/acme/gitops.git`);
    });

    it('an Application with a running operation still validates', async () => {
      const synced = await sendJson(
        'POST',
        `${urls.argocd}/api/v1/applications/notifications-worker-prod/sync`,
        ARGOCD_WRITE,
        {},
      );
      expect(synced.status).toBe(200);
      expect(synced.body.status.operationState.phase).toBe('Running');
      expect(modelProblems('Application', synced.body)).toEqual([]);
      expect(argo.errors('v1alpha1Application', synced.body)).toEqual([]);
    });
  });

  describe('GitHub', () => {
    const github = githubValidator();
    const api = () => `${urls.githubApi}/repos/acme/payments-api`;

    it('repositories, contents, refs and commits', async () => {
      expect(
        github.forOperation(
          'get',
          '/user',
          200,
          await getJson(`${urls.githubApi}/user`, GITHUB),
        ),
      ).toEqual([]);
      const repo = await getJson(api(), GITHUB);
      expect(
        github.forOperation('get', '/repos/{owner}/{repo}', 200, repo),
      ).toEqual([]);
      expect(repo.clone_url).toBe(`${urls.git}/acme/payments-api.git`);
      expect(repo.default_branch).toBe('main');

      const created = await sendJson(
        'POST',
        `${urls.githubApi}/orgs/acme/repos`,
        GITHUB,
        {
          name: 'new-service',
          private: true,
          auto_init: true,
        },
      );
      expect(created.status).toBe(201);
      expect(
        github.forOperation('post', '/orgs/{org}/repos', 201, created.body),
      ).toEqual([]);
      expect(
        (
          await sendJson('POST', `${urls.githubApi}/orgs/acme/repos`, GITHUB, {
            name: 'new-service',
          })
        ).status,
      ).toBe(422);

      const file = await getJson(
        `${api()}/contents/package.json?ref=main`,
        GITHUB,
      );
      expect(github.errors('content-file', file)).toEqual([]);
      expect(
        JSON.parse(Buffer.from(file.content, 'base64').toString('utf8')).name,
      ).toBe('payments-api');
      const dir = await getJson(`${api()}/contents/src`, GITHUB);
      expect(
        github.forOperation(
          'get',
          '/repos/{owner}/{repo}/contents/{path}',
          200,
          dir,
        ),
      ).toEqual([]);

      const put = await sendJson(
        'PUT',
        `${api()}/contents/docs/notes.md`,
        GITHUB,
        {
          message: 'Add notes',
          content: Buffer.from('hello\n').toString('base64'),
          branch: 'main',
        },
      );
      expect(put.status).toBe(201);
      expect(
        github.forOperation(
          'put',
          '/repos/{owner}/{repo}/contents/{path}',
          201,
          put.body,
        ),
      ).toEqual([]);

      const ref = await getJson(`${api()}/git/ref/heads/main`, GITHUB);
      expect(
        github.forOperation(
          'get',
          '/repos/{owner}/{repo}/git/ref/{ref}',
          200,
          ref,
        ),
      ).toEqual([]);
      const branch = await sendJson('POST', `${api()}/git/refs`, GITHUB, {
        ref: 'refs/heads/feature-x',
        sha: ref.object.sha,
      });
      expect(branch.status).toBe(201);
      expect(
        github.forOperation(
          'post',
          '/repos/{owner}/{repo}/git/refs',
          201,
          branch.body,
        ),
      ).toEqual([]);
      const matching = await getJson(
        `${api()}/git/matching-refs/heads/`,
        GITHUB,
      );
      expect(
        github.forOperation(
          'get',
          '/repos/{owner}/{repo}/git/matching-refs/{ref}',
          200,
          matching,
        ),
      ).toEqual([]);

      const gitCommit = await getJson(
        `${api()}/git/commits/${ref.object.sha}`,
        GITHUB,
      );
      expect(
        github.forOperation(
          'get',
          '/repos/{owner}/{repo}/git/commits/{commit_sha}',
          200,
          gitCommit,
        ),
      ).toEqual([]);
      const commit = await getJson(`${api()}/commits/main`, GITHUB);
      expect(
        github.forOperation(
          'get',
          '/repos/{owner}/{repo}/commits/{ref}',
          200,
          commit,
        ),
      ).toEqual([]);
    });

    it('pull requests', async () => {
      const main = await getJson(`${api()}/git/ref/heads/main`, GITHUB);
      await sendJson('POST', `${api()}/git/refs`, GITHUB, {
        ref: 'refs/heads/promote-1',
        sha: main.object.sha,
      });
      const file = await getJson(
        `${api()}/contents/README.md?ref=promote-1`,
        GITHUB,
      );
      await sendJson('PUT', `${api()}/contents/README.md`, GITHUB, {
        message: 'Edit readme',
        content: Buffer.from('# changed\n').toString('base64'),
        sha: file.sha,
        branch: 'promote-1',
      });
      const pr = await sendJson('POST', `${api()}/pulls`, GITHUB, {
        title: 'Promote',
        head: 'promote-1',
        base: 'main',
      });
      expect(pr.status).toBe(201);
      expect(
        github.forOperation(
          'post',
          '/repos/{owner}/{repo}/pulls',
          201,
          pr.body,
        ),
      ).toEqual([]);
      const listed = await getJson(
        `${api()}/pulls?state=open&head=acme:promote-1&base=main`,
        GITHUB,
      );
      expect(listed).toHaveLength(1);
      expect(
        github.forOperation('get', '/repos/{owner}/{repo}/pulls', 200, listed),
      ).toEqual([]);
      const one = await getJson(`${api()}/pulls/${pr.body.number}`, GITHUB);
      expect(
        github.forOperation(
          'get',
          '/repos/{owner}/{repo}/pulls/{pull_number}',
          200,
          one,
        ),
      ).toEqual([]);
      expect(one.mergeable).toBe(true);
      const merged = await sendJson(
        'PUT',
        `${api()}/pulls/${pr.body.number}/merge`,
        GITHUB,
        { merge_method: 'squash' },
      );
      expect(merged.status).toBe(200);
      expect(
        github.forOperation(
          'put',
          '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
          200,
          merged.body,
        ),
      ).toEqual([]);
      const closed = await getJson(`${api()}/pulls/${pr.body.number}`, GITHUB);
      expect(closed.merged).toBe(true);
      expect(
        github.forOperation(
          'get',
          '/repos/{owner}/{repo}/pulls/{pull_number}',
          200,
          closed,
        ),
      ).toEqual([]);
      expect((await getJson(`${api()}/pulls?state=open`, GITHUB)).length).toBe(
        0,
      );
    });

    it('workflow runs and jobs', async () => {
      const runs = await getJson(
        `${api()}/actions/runs?branch=main&per_page=2&page=1`,
        GITHUB,
      );
      expect(runs.workflow_runs.length).toBe(2);
      expect(
        github.forOperation(
          'get',
          '/repos/{owner}/{repo}/actions/runs',
          200,
          runs,
        ),
      ).toEqual([]);
      for (const item of runs.workflow_runs) {
        const one = await getJson(`${api()}/actions/runs/${item.id}`, GITHUB);
        expect(
          github.forOperation(
            'get',
            '/repos/{owner}/{repo}/actions/runs/{run_id}',
            200,
            one,
          ),
        ).toEqual([]);
        const jobs = await getJson(
          `${api()}/actions/runs/${item.id}/jobs`,
          GITHUB,
        );
        expect(
          github.forOperation(
            'get',
            '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
            200,
            jobs,
          ),
        ).toEqual([]);
      }
      const failed = await getJson(
        `${urls.githubApi}/repos/acme/checkout-web/actions/runs?status=failure`,
        GITHUB,
      );
      expect(failed.total_count).toBe(1);
      expect(
        github.forOperation(
          'get',
          '/repos/{owner}/{repo}/actions/runs',
          200,
          failed,
        ),
      ).toEqual([]);
    });
  });

  describe('Harbor', () => {
    const harbor = harborValidator();
    const oci = ociValidator();
    const base = () => `${urls.harbor}/api/v2.0/projects/acme/repositories`;

    it('projects, repositories, artifacts, scan overviews, reports and accessories', async () => {
      const projects = await getJson(
        `${urls.harbor}/api/v2.0/projects`,
        HARBOR,
      );
      for (const project of projects)
        expect(harbor.errors('Project', project)).toEqual([]);
      expect(
        harbor.errors(
          'Project',
          await getJson(`${urls.harbor}/api/v2.0/projects/acme`, HARBOR),
        ),
      ).toEqual([]);
      const repositories = await getJson(
        `${urls.harbor}/api/v2.0/projects/acme/repositories`,
        HARBOR,
      );
      expect(repositories.map((r: any) => r.name)).toContain(
        'acme/orders-service',
      );
      for (const repository of repositories)
        expect(harbor.errors('Repository', repository)).toEqual([]);

      let sawUnknown = false;
      let sawUnsigned = false;
      let sawIndex = false;
      for (const service of [
        'payments-api',
        'checkout-web',
        'orders-service',
        'inventory-api',
        'notifications-worker',
      ]) {
        const artifacts = await getJson(
          `${base()}/${service}/artifacts?with_scan_overview=true&with_signature=true&with_accessory=true&page_size=50`,
          HARBOR,
        );
        expect(artifacts.length).toBeGreaterThanOrEqual(3);
        for (const artifact of artifacts) {
          expect(harbor.errors('Artifact', artifact)).toEqual([]);
          const overview = artifact.scan_overview[REPORT];
          expect(harbor.errors('NativeReportSummary', overview)).toEqual([]);
          if (overview.summary.summary.Unknown) sawUnknown = true;
          if (artifact.references) {
            sawIndex = true;
            expect(artifact.references).toHaveLength(2);
            for (const reference of artifact.references) {
              const child = await getJson(
                `${base()}/${service}/artifacts/${
                  reference.child_digest
                }?with_scan_overview=true`,
                HARBOR,
              );
              expect(harbor.errors('Artifact', child)).toEqual([]);
              expect(child.scan_overview[REPORT].scan_status).toBe('Success');
            }
          }
          if (artifact.tags?.length) {
            const accessories = await getJson(
              `${base()}/${service}/artifacts/${artifact.digest}/accessories`,
              HARBOR,
            );
            if (accessories.length === 0) sawUnsigned = true;
            for (const accessory of accessories) {
              expect(harbor.errors('Accessory', accessory)).toEqual([]);
              expect(accessory.type).toBe('signature.cosign');
              // The signature itself, from the registry API beside Harbor's.
              const manifest = await getJson(
                `${urls.harbor}/v2/acme/${service}/manifests/${accessory.digest}`,
                HARBOR,
              );
              expect(oci.errors('ImageManifest', manifest)).toEqual([]);
            }
            const report = await getJson(
              `${base()}/${service}/artifacts/${
                artifact.tags[0].name
              }/additions/vulnerabilities`,
              HARBOR,
            );
            expect(report[REPORT].vulnerabilities).toHaveLength(
              overview.summary.total,
            );
            expect(report[REPORT].scanner.name).toBe('Trivy');
          }
        }
      }
      expect(sawUnknown).toBe(true);
      expect(sawUnsigned).toBe(true);
      expect(sawIndex).toBe(true);
      const missing = await fetch(`${base()}/payments-api/artifacts/nope`, {
        headers: HARBOR,
      });
      expect(missing.status).toBe(404);
      expect(harbor.errors('Errors', await missing.json())).toEqual([]);
    });
  });

  describe('SonarQube', () => {
    it('quality gate and measures', async () => {
      const ok = await getJson(
        `${urls.sonarqube}/api/qualitygates/project_status?projectKey=acme_payments-api`,
        SONAR,
      );
      expect(ok.projectStatus.status).toBe('OK');
      const failing = await getJson(
        `${urls.sonarqube}/api/qualitygates/project_status?projectKey=acme_inventory-api`,
        SONAR,
      );
      expect(failing.projectStatus.status).toBe('ERROR');
      const measures = await getJson(
        `${urls.sonarqube}/api/measures/component?component=acme_payments-api&metricKeys=coverage,bugs,new_coverage`,
        SONAR,
      );
      expect(measures.component.key).toBe('acme_payments-api');
      expect(measures.component.measures.map((m: any) => m.metric)).toEqual([
        'coverage',
        'bugs',
        'new_coverage',
      ]);
      expect(
        (
          await fetch(
            `${urls.sonarqube}/api/qualitygates/project_status?projectKey=acme_nope`,
            { headers: SONAR },
          )
        ).status,
      ).toBe(404);
    });
  });
});
