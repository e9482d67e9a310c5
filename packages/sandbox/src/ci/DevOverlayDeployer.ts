import fs from 'node:fs';
import path from 'node:path';
import { GitRepositories } from '../git/GitRepositories';
import { runGit } from '../git/runGit';
import { GithubService } from '../github/GithubService';
import { HarborRegistry } from '../harbor/HarborRegistry';
import { readDevOverlayJob, setOverlayImage } from './devOverlayJob';
import { WorkflowRunRecord } from './WorkflowRuns';

/** Clones before giving up on an overlay that does not exist (yet). */
const OVERLAY_ATTEMPTS = 10;

const CI_IDENTITY = {
  name: 'slipway-ci',
  email: 'slipway-ci@users.noreply.github.com',
};

/**
 * Plays the last job of a Slipway-generated workflow ("Update the dev
 * overlay") when its run succeeds: clones the GitOps repository over the
 * sandbox's git HTTP endpoint, points the dev overlay at the build (tag =
 * full SHA, digest from Harbor) and pushes, directly or to a branch with a
 * pull request, as the workflow says. Repositories without that job (the
 * seeded example services) are left alone.
 */
export class DevOverlayDeployer {
  private readonly pending = new Set<Promise<void>>();

  private constructor(
    private readonly repos: GitRepositories,
    private readonly harbor: HarborRegistry,
    private readonly github: GithubService,
    private readonly gitUrl: string,
    private readonly token: string,
    private readonly tempDir: string,
    private readonly retryMs: number,
    private readonly log: (line: string) => void,
  ) {}

  static create(options: {
    repos: GitRepositories;
    harbor: HarborRegistry;
    github: GithubService;
    /** Base URL of the git endpoint, e.g. http://127.0.0.1:7101/git */
    gitUrl: string;
    /** A GitHub token of the sandbox (the workflow's GITOPS_TOKEN). */
    token: string;
    dataDir: string;
    /** Wait between clones while the overlay does not exist yet. */
    retryMs: number;
    log: (line: string) => void;
  }): DevOverlayDeployer {
    const tempDir = path.join(options.dataDir, 'tmp');
    fs.mkdirSync(tempDir, { recursive: true });
    return new DevOverlayDeployer(
      options.repos,
      options.harbor,
      options.github,
      options.gitUrl,
      options.token,
      tempDir,
      options.retryMs,
      options.log,
    );
  }

  /** Run listener: starts the job for a successful run; errors are logged. */
  runCompleted(run: WorkflowRunRecord): void {
    if (run.conclusion !== 'success') return;
    const job = this.deploy(run).catch(error =>
      this.log(
        `ci: run ${run.id}: dev overlay not updated: ${String(
          (error as Error)?.message ?? error,
        )}`,
      ),
    );
    this.pending.add(job);
    job.finally(() => this.pending.delete(job));
  }

  /** Waits for running jobs (before the servers stop). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private async deploy(run: WorkflowRunRecord): Promise<void> {
    const workflow = await this.repos.readFile(
      run.owner,
      run.repo,
      run.headSha,
      run.workflowPath,
    );
    const job = workflow && readDevOverlayJob(workflow.toString('utf8'));
    if (!job) return;
    if (!job.repository) {
      // gitops/ folder in the service repository: the sandbox's Argo CD only
      // serves the GitOps repository, so there is nothing to play.
      this.log(
        `ci: run ${run.id}: in-repo GitOps layout, dev overlay not played`,
      );
      return;
    }
    const [owner, repo] = job.repository.split('/');
    if (!this.repos.exists(owner, repo)) {
      throw new Error(`no repository ${job.repository} in the sandbox`);
    }
    const artifact = this.harbor.findArtifact(run.owner, run.repo, run.headSha);
    if (!artifact) {
      throw new Error(`no Harbor artifact for ${run.repo}@${run.headSha}`);
    }

    const work = fs.mkdtempSync(path.join(this.tempDir, 'deploy-dev-'));
    const env = {
      ...this.repos.environment,
      GIT_AUTHOR_NAME: CI_IDENTITY.name,
      GIT_AUTHOR_EMAIL: CI_IDENTITY.email,
      GIT_COMMITTER_NAME: CI_IDENTITY.name,
      GIT_COMMITTER_EMAIL: CI_IDENTITY.email,
    };
    const git = (args: string[], allowedExitCodes?: number[]) =>
      runGit(args, { env, cwd: work, allowedExitCodes });
    // The token travels in a header, never in a URL that could be logged.
    const auth = [
      '-c',
      `http.extraHeader=Authorization: Basic ${Buffer.from(
        `x-access-token:${this.token}`,
      ).toString('base64')}`,
    ];
    const remote = `${this.gitUrl}/${owner}/${repo}.git`;
    try {
      const file = path.join(work, job.overlayPath, 'kustomization.yaml');
      // Scaffolding publishes the service before it commits to the GitOps
      // repository, so the first run may finish before the overlay exists.
      for (let attempt = 1; ; attempt++) {
        await git(['clone', '--quiet', '--depth', '1', remote, '.']);
        if (fs.existsSync(file) || attempt >= OVERLAY_ATTEMPTS) break;
        fs.rmSync(work, { recursive: true, force: true });
        fs.mkdirSync(work);
        await new Promise(resolve => setTimeout(resolve, this.retryMs));
      }
      const edited = setOverlayImage(fs.readFileSync(file, 'utf8'), {
        name: job.image,
        tag: run.headSha,
        digest: artifact.digest,
      });
      if (!edited) return;
      fs.writeFileSync(file, edited);
      await git(['add', '-A', job.overlayPath]);
      if (job.mode.kind === 'direct') {
        await git([
          'commit',
          '--quiet',
          '-m',
          `Deploy ${run.repo} ${run.headSha} to dev`,
          '-m',
          `Slipway-Source-Commit: ${run.headSha}`,
        ]);
        await git([...auth, 'push', '--quiet', 'origin', 'HEAD:main']);
        this.log(
          `ci: run ${run.id}: ${job.repository} ${
            job.overlayPath
          } → ${run.headSha.slice(0, 7)}`,
        );
        return;
      }
      // peter-evans/create-pull-request: (re)writes the branch from the base
      // and opens a pull request unless one is open for it already.
      const { branch, title, commitMessage } = job.mode;
      await git([
        'commit',
        '--quiet',
        '-m',
        commitMessage.replace(/\$\{\{\s*github\.sha\s*\}\}/g, run.headSha),
      ]);
      await git([
        ...auth,
        'push',
        '--quiet',
        '--force',
        'origin',
        `HEAD:refs/heads/${branch}`,
      ]);
      const open = await this.github.listPulls(owner, repo, {
        state: 'open',
        head: branch,
        base: 'main',
      });
      if (open.length === 0) {
        await this.github.createPull(owner, repo, {
          title,
          head: branch,
          base: 'main',
          body: `Automated changes by the sandbox's CI for ${run.owner}/${run.repo}@${run.headSha}.`,
        });
      }
      this.log(
        `ci: run ${run.id}: pull request ${branch} on ${
          job.repository
        } → ${run.headSha.slice(0, 7)}`,
      );
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
}
