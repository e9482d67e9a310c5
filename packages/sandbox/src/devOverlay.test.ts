import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { readDevOverlayJob, setOverlayImage } from './ci/devOverlayJob';
import { serviceRepoFiles } from './seed/manifests';
import {
  ARGOCD,
  getJson,
  GITHUB,
  HARBOR,
  makeTempDir,
  run,
  sendJson,
  startTestSandbox,
  TestSandbox,
  waitFor,
} from './__testUtils__/sandboxHarness';

// Integration tests: they start servers, git and kubectl on a 2-core machine.
jest.setTimeout(120_000);

const FIXTURES = path.join(__dirname, '__testUtils__', 'scaffolded');
const fixture = (name: string) =>
  fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const IMAGE = '127.0.0.1:7103/acme/newsvc';
const OVERLAY = 'apps/newsvc/overlays/dev';

describe('the generated workflow, read', () => {
  it('finds the dev overlay job and its commit mode', () => {
    expect(readDevOverlayJob(fixture('ci-direct.yaml'))).toEqual({
      image: IMAGE,
      repository: 'acme/gitops',
      overlayPath: OVERLAY,
      mode: { kind: 'direct' },
    });
    expect(readDevOverlayJob(fixture('ci-pull-request.yaml'))).toEqual({
      image: IMAGE,
      repository: 'acme/gitops',
      overlayPath: OVERLAY,
      mode: {
        kind: 'pull-request',
        branch: 'slipway/deploy-newsvc-dev',
        title: 'Deploy newsvc to dev',
        commitMessage:
          'Deploy newsvc to dev\n\nSlipway-Source-Commit: ${{ github.sha }}',
      },
    });
  });

  it('leaves the seeded example services alone', () => {
    const seeded = serviceRepoFiles(
      { name: 'payments-api', description: 'Payments' },
      ['refunds'],
      '1.0.0',
    )['.github/workflows/ci.yaml'];
    expect(seeded).toContain('jobs:');
    expect(readDevOverlayJob(seeded)).toBeUndefined();
    expect(readDevOverlayJob('not: [valid')).toBeUndefined();
  });

  it('refuses an overlay outside the checked-out repository', () => {
    const workflow = fixture('ci-direct.yaml').replace(
      'OVERLAY: gitops-repo/apps/newsvc/overlays/dev',
      'OVERLAY: gitops-repo/../../etc',
    );
    expect(readDevOverlayJob(workflow)).toBeUndefined();
  });

  it('sets tag and digest together and keeps the rest of the file', () => {
    const source = fixture(
      'gitops/apps/newsvc/overlays/dev/kustomization.yaml',
    );
    const sha = 'a'.repeat(40);
    const digest = `sha256:${'b'.repeat(64)}`;
    const edited = setOverlayImage(source, { name: IMAGE, tag: sha, digest });
    expect(YAML.parse(edited!).images).toEqual([
      { name: IMAGE, newName: IMAGE, newTag: sha, digest },
    ]);
    expect(edited).toContain('patches:');
    expect(
      setOverlayImage(edited!, { name: IMAGE, tag: sha, digest }),
    ).toBeUndefined();
    expect(() =>
      setOverlayImage(source, { name: IMAGE, tag: 'latest', digest }),
    ).toThrow();
  });
});

describe('scaffolded service: push → CI → dev overlay → Argo CD', () => {
  let sandbox: TestSandbox;
  let work: string;
  let service: string;
  let serviceUrl: string;

  const urls = () => sandbox.sandbox.urls;
  const pushUrl = (url: string) =>
    url.replace('http://', 'http://ci:sandbox-github-token@');

  beforeAll(async () => {
    sandbox = await startTestSandbox({ timings: { autoSyncDelayMs: 1_000 } });
    work = makeTempDir('scaffolded');

    // What the scaffolder's gitops-commit step writes to the GitOps repository.
    const gitopsUrl = `${urls().git}/acme/gitops.git`;
    const gitops = path.join(work, 'gitops');
    await run('git', ['clone', '--quiet', gitopsUrl, gitops]);
    fs.cpSync(path.join(FIXTURES, 'gitops'), gitops, { recursive: true });
    await run('git', ['add', '-A'], { cwd: gitops });
    await run(
      'git',
      ['commit', '--quiet', '-m', 'Add newsvc (scaffolded by Slipway)'],
      { cwd: gitops },
    );
    await run('git', ['push', '--quiet', pushUrl(gitopsUrl), 'main'], {
      cwd: gitops,
    });

    // What publish:github creates: the repository, then its first push.
    const created = await sendJson(
      'POST',
      `${urls().githubApi}/orgs/acme/repos`,
      GITHUB,
      { name: 'newsvc', private: true },
    );
    if (created.status !== 201) {
      throw new Error(`creating acme/newsvc answered ${created.status}`);
    }
    serviceUrl = `${urls().git}/acme/newsvc.git`;
    service = path.join(work, 'newsvc');
    fs.mkdirSync(path.join(service, '.github/workflows'), { recursive: true });
    await run('git', ['init', '--quiet', '--initial-branch', 'main', service]);
  }, 120_000);

  afterAll(async () => {
    await sandbox.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  async function pushService(workflow: string, message: string) {
    fs.writeFileSync(
      path.join(service, '.github/workflows/ci.yaml'),
      fixture(workflow),
    );
    fs.writeFileSync(
      path.join(service, 'README.md'),
      `# newsvc\n\n${message}\n`,
    );
    await run('git', ['add', '-A'], { cwd: service });
    await run('git', ['commit', '--quiet', '-m', message], { cwd: service });
    await run('git', ['push', '--quiet', pushUrl(serviceUrl), 'main'], {
      cwd: service,
    });
    await sandbox.sandbox.refresh();
    return (
      await run('git', ['rev-parse', 'HEAD'], { cwd: service })
    ).stdout.trim();
  }

  async function completedRun(sha: string) {
    return waitFor(
      async () => {
        const runs = await getJson(
          `${urls().githubApi}/repos/acme/newsvc/actions/runs?head_sha=${sha}`,
          GITHUB,
        );
        const found = runs.workflow_runs.find(
          (r: any) => r.head_sha === sha && r.status === 'completed',
        );
        return found;
      },
      { what: `the run for ${sha.slice(0, 7)} to complete`, timeoutMs: 30_000 },
    );
  }

  async function gitopsMain(): Promise<string> {
    const { stdout } = await run('git', [
      'ls-remote',
      `${urls().git}/acme/gitops.git`,
      'refs/heads/main',
    ]);
    return stdout.split('\t')[0];
  }

  async function harborDigest(sha: string): Promise<string> {
    const artifact = await getJson(
      `${
        urls().harbor
      }/api/v2.0/projects/acme/repositories/newsvc/artifacts/${sha}`,
      HARBOR,
    );
    return artifact.digest;
  }

  /** kubectl kustomize on a fresh clone is the oracle for what an overlay renders. */
  async function renderedImages(ref: string, name: string): Promise<string[]> {
    const fresh = path.join(work, name);
    await run('git', [
      'clone',
      '--quiet',
      '--branch',
      ref,
      `${urls().git}/acme/gitops.git`,
      fresh,
    ]);
    const rendered = (
      await run('kubectl', ['kustomize', path.join(fresh, OVERLAY)])
    ).stdout;
    const overlay = YAML.parse(
      fs.readFileSync(path.join(fresh, OVERLAY, 'kustomization.yaml'), 'utf8'),
    );
    expect(overlay.images).toHaveLength(1);
    return YAML.parseAllDocuments(rendered)
      .map(d => d.toJS())
      .filter(o => o.kind === 'Deployment')
      .flatMap(o =>
        o.spec.template.spec.containers.map((c: { image: string }) => c.image),
      );
  }

  it('direct mode: the dev overlay points at the build and dev syncs to it', async () => {
    const app = () =>
      getJson(`${urls().argocd}/api/v1/applications/newsvc-dev`, ARGOCD);
    await waitFor(async () => (await app()).metadata.name === 'newsvc-dev', {
      what: 'the app-of-apps to create newsvc-dev',
    });

    const sha = await pushService('ci-direct.yaml', 'First version');
    const completed = await completedRun(sha);
    expect(completed.conclusion).toBe('success');
    const digest = await harborDigest(sha);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const expected = `${IMAGE}:${sha}@${digest}`;
    const synced = await waitFor(
      async () => {
        const current = await app();
        return current.status.sync.status === 'Synced' &&
          current.status.health.status === 'Healthy' &&
          current.status.summary.images?.includes(expected)
          ? current
          : undefined;
      },
      { what: 'newsvc-dev to run the build', timeoutMs: 60_000 },
    );
    expect(synced.status.summary.images).toEqual([expected]);

    expect(await renderedImages('main', 'fresh-direct')).toEqual([expected]);
    const log = (
      await run('git', ['log', '-1', '--format=%an%n%B'], {
        cwd: path.join(work, 'fresh-direct'),
      })
    ).stdout;
    expect(log).toContain('slipway-ci');
    expect(log).toContain(`Deploy newsvc ${sha} to dev`);
    expect(log).toContain(`Slipway-Source-Commit: ${sha}`);
    expect(synced.status.sync.revision).toBe(
      (
        await run('git', ['rev-parse', 'HEAD'], {
          cwd: path.join(work, 'fresh-direct'),
        })
      ).stdout.trim(),
    );
  });

  it('pull-request mode: a pull request carries the change, main stays', async () => {
    const before = await gitopsMain();
    const sha = await pushService('ci-pull-request.yaml', 'Second version');
    await completedRun(sha);
    const digest = await harborDigest(sha);

    const pulls = await waitFor(
      async () => {
        const open = await getJson(
          `${
            urls().githubApi
          }/repos/acme/gitops/pulls?state=open&head=acme:slipway/deploy-newsvc-dev`,
          GITHUB,
        );
        return open.length > 0 ? open : undefined;
      },
      { what: 'the deploy pull request', timeoutMs: 30_000 },
    );
    expect(pulls).toHaveLength(1);
    expect(pulls[0].title).toBe('Deploy newsvc to dev');
    expect(pulls[0].base.ref).toBe('main');

    expect(
      await renderedImages('slipway/deploy-newsvc-dev', 'fresh-pr'),
    ).toEqual([`${IMAGE}:${sha}@${digest}`]);
    const message = (
      await run('git', ['log', '-1', '--format=%B'], {
        cwd: path.join(work, 'fresh-pr'),
      })
    ).stdout;
    expect(message).toContain(`Slipway-Source-Commit: ${sha}`);
    expect(await gitopsMain()).toBe(before);
  });
});
