import YAML from 'yaml';
import {
  GitCommitInfo,
  GitRepositories,
  isoSeconds,
} from '../git/GitRepositories';
import { PushEvent } from '../git/RepoWatcher';
import { HarborRegistry } from '../harbor/HarborRegistry';
import { findSeedCommit, findSeedService } from '../seed/world';
import { SonarQubeProjects } from '../sonarqube/SonarQubeProjects';
import { SandboxTimings } from '../types';
import { RunConclusion, WorkflowRunRecord, WorkflowRuns } from './WorkflowRuns';
import { stableBytes } from '../harbor/digests';

/** Put this in a commit message to make the sandbox CI run fail. */
const FAIL_CI_MARKER = '[sandbox:fail-ci]';

interface WorkflowFile {
  path: string;
  name: string;
}

/**
 * Simulated GitHub Actions: a commit on the default branch of a repository
 * with a workflow gets a run that goes queued → in_progress → completed; a
 * successful run publishes the image to Harbor (tag = full SHA) and records a
 * SonarQube analysis.
 */
export class CiSimulator {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly listeners: Array<(run: WorkflowRunRecord) => void> = [];

  private constructor(
    private readonly repos: GitRepositories,
    readonly runs: WorkflowRuns,
    private readonly harbor: HarborRegistry,
    private readonly sonar: SonarQubeProjects,
    private readonly timings: SandboxTimings,
    private readonly log: (line: string) => void,
  ) {}

  static create(options: {
    repos: GitRepositories;
    harbor: HarborRegistry;
    sonar: SonarQubeProjects;
    timings: SandboxTimings;
    log: (line: string) => void;
  }): CiSimulator {
    return new CiSimulator(
      options.repos,
      WorkflowRuns.create(),
      options.harbor,
      options.sonar,
      options.timings,
      options.log,
    );
  }

  onCompleted(listener: (run: WorkflowRunRecord) => void): void {
    this.listeners.push(listener);
  }

  /** Rebuilds completed runs and artifacts for the history of every repository. */
  async deriveFromHistory(): Promise<void> {
    for (const { owner, repo } of this.repos.list()) {
      const shas = (await this.repos.log(owner, repo, 'main')).reverse();
      for (const sha of shas) {
        const workflow = await this.findWorkflow(owner, repo, sha);
        const commit = await this.repos.getCommit(owner, repo, sha);
        if (!workflow || !commit) continue;
        const created = Date.parse(commit.committer.date) + 30_000;
        const run = this.runs.add({
          owner,
          repo,
          ...this.workflowIds(owner, repo, workflow),
          headBranch: 'main',
          headSha: sha,
          headCommit: commit,
          event: 'push',
          status: 'completed',
          conclusion: this.plannedConclusion(repo, commit),
          plannedConclusion: this.plannedConclusion(repo, commit),
          createdAt: isoSeconds(created),
          runStartedAt: isoSeconds(created + 15_000),
          updatedAt: isoSeconds(created + 240_000),
          completedAt: isoSeconds(created + 240_000),
        });
        this.publishResults(run);
      }
    }
  }

  /** Push listener: starts a run for a new commit on main. */
  async handlePush(event: PushEvent): Promise<void> {
    if (event.ref !== 'refs/heads/main') return;
    const workflow = await this.findWorkflow(
      event.owner,
      event.repo,
      event.after,
    );
    const commit = await this.repos.getCommit(
      event.owner,
      event.repo,
      event.after,
    );
    if (!workflow || !commit) return;
    const now = isoSeconds(Date.now());
    const run = this.runs.add({
      owner: event.owner,
      repo: event.repo,
      ...this.workflowIds(event.owner, event.repo, workflow),
      headBranch: 'main',
      headSha: event.after,
      headCommit: commit,
      event: 'push',
      status: 'queued',
      conclusion: undefined,
      plannedConclusion: this.plannedConclusion(event.repo, commit),
      createdAt: now,
      runStartedAt: now,
      updatedAt: now,
      completedAt: undefined,
    });
    this.log(
      `ci: run ${run.id} queued for ${event.owner}/${
        event.repo
      }@${event.after.slice(0, 7)}`,
    );
    this.later(this.timings.ciQueuedMs, () => {
      const started = isoSeconds(Date.now());
      run.status = 'in_progress';
      run.runStartedAt = started;
      run.updatedAt = started;
      this.later(this.timings.ciRunMs, () => {
        const finished = isoSeconds(Date.now());
        run.status = 'completed';
        run.conclusion = run.plannedConclusion;
        run.updatedAt = finished;
        run.completedAt = finished;
        this.publishResults(run);
        this.log(`ci: run ${run.id} completed (${run.conclusion})`);
        for (const listener of this.listeners) listener(run);
      });
    });
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }

  private plannedConclusion(
    repo: string,
    commit: GitCommitInfo,
  ): RunConclusion {
    if (commit.message.includes(FAIL_CI_MARKER)) return 'failure';
    const subject = commit.message.split('\n')[0];
    return findSeedCommit(repo, subject)?.ci ?? 'success';
  }

  private workflowIds(owner: string, repo: string, workflow: WorkflowFile) {
    const bytes = stableBytes(`workflow:${owner}/${repo}:${workflow.path}`);
    return {
      workflowId: 100_000 + bytes.readUInt16BE(0),
      workflowName: workflow.name,
      workflowPath: workflow.path,
    };
  }

  private publishResults(run: WorkflowRunRecord): void {
    if (run.conclusion !== 'success') return;
    const subject = run.headCommit.message.split('\n')[0];
    const seed = findSeedCommit(run.repo, subject);
    const service = findSeedService(run.repo);
    const pushTime = run.completedAt ?? run.updatedAt;
    this.harbor.publish({
      project: run.owner,
      repository: run.repo,
      commitSha: run.headSha,
      pushTime,
      scan: seed?.scan,
      signed: seed?.signed,
      multiArch: seed?.multiArch,
    });
    this.sonar.recordAnalysis({
      key: `${run.owner}_${run.repo}`,
      name: run.repo,
      analysedAt: pushTime,
      revision: run.headSha,
      qualityGate: service?.qualityGate,
      coverage: service?.coverage,
    });
  }

  private async findWorkflow(
    owner: string,
    repo: string,
    sha: string,
  ): Promise<WorkflowFile | undefined> {
    const entries = await this.repos.listDirectory(
      owner,
      repo,
      sha,
      '.github/workflows',
    );
    const file = entries.find(
      e => e.type === 'blob' && /\.ya?ml$/.test(e.name),
    );
    if (!file) return undefined;
    let name = file.name;
    try {
      const parsed = YAML.parse(
        (await this.repos.readBlob(owner, repo, file.sha)).toString('utf8'),
      );
      if (parsed && typeof parsed.name === 'string') name = parsed.name;
    } catch {
      // keep the file name
    }
    return { path: file.path, name };
  }
}
