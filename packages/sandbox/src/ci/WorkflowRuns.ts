import { GitCommitInfo } from '../git/GitRepositories';

type RunStatus = 'queued' | 'in_progress' | 'completed';
export type RunConclusion = 'success' | 'failure';

export interface WorkflowRunRecord {
  id: number;
  runNumber: number;
  owner: string;
  repo: string;
  workflowId: number;
  workflowName: string;
  workflowPath: string;
  headBranch: string;
  headSha: string;
  headCommit: GitCommitInfo;
  event: 'push';
  status: RunStatus;
  conclusion: RunConclusion | undefined;
  /** The conclusion the run will reach. */
  plannedConclusion: RunConclusion;
  createdAt: string;
  updatedAt: string;
  runStartedAt: string;
  completedAt: string | undefined;
  jobId: number;
}

export const CI_STEPS = [
  'Set up job',
  'Checkout',
  'Lint and unit tests',
  'SonarQube analysis',
  'Secret scan',
  'Build image',
  'Trivy image scan',
  'SBOM',
  'Sign image (cosign)',
  'Push image',
  'Update dev overlay',
];

/** Workflow runs of every repository, in creation order. */
export class WorkflowRuns {
  private readonly runs: WorkflowRunRecord[] = [];
  private nextRunId = 10_001;
  private nextJobId = 50_001;

  private constructor() {}

  static create(): WorkflowRuns {
    return new WorkflowRuns();
  }

  add(
    run: Omit<WorkflowRunRecord, 'id' | 'runNumber' | 'jobId'>,
  ): WorkflowRunRecord {
    const runNumber =
      this.runs.filter(r => r.owner === run.owner && r.repo === run.repo)
        .length + 1;
    const record: WorkflowRunRecord = {
      ...run,
      id: this.nextRunId++,
      jobId: this.nextJobId++,
      runNumber,
    };
    this.runs.push(record);
    return record;
  }

  /** Runs of a repository, newest first (as GitHub lists them). */
  list(owner: string, repo: string): WorkflowRunRecord[] {
    return this.runs
      .filter(r => r.owner === owner && r.repo === repo)
      .reverse();
  }

  get(owner: string, repo: string, id: number): WorkflowRunRecord | undefined {
    return this.runs.find(
      r => r.owner === owner && r.repo === repo && r.id === id,
    );
  }

  all(): WorkflowRunRecord[] {
    return [...this.runs];
  }
}
