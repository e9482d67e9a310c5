/** Vendors the sandbox stands in for; `git` is the smart HTTP endpoint (GitHub's and GitLab's). */
export type SandboxVendor =
  | 'github'
  | 'gitlab'
  | 'git'
  | 'argocd'
  | 'harbor'
  | 'sonarqube'
  | 'flux';

/** Timings of the simulated systems, in milliseconds. */
export interface SandboxTimings {
  /** How long a new workflow run stays queued. */
  ciQueuedMs: number;
  /** How long a workflow run stays in progress. */
  ciRunMs: number;
  /** Delay before an auto-sync Application starts syncing a new revision. */
  autoSyncDelayMs: number;
  /** How long a sync operation stays Running. */
  syncOperationMs: number;
  /** How long a Deployment stays Progressing after a sync. */
  progressingMs: number;
  /** Time spent on each canary step of a Rollout. */
  canaryStepMs: number;
  /** How often the bare repositories are polled for new commits. */
  pollIntervalMs: number;
  /** How long a request held by a `timeout` fault stays open before the socket is closed. */
  faultTimeoutMs: number;
}

/** Credentials the sandbox accepts. Sandbox-only values, never real secrets. */
export interface SandboxCredentials {
  githubTokens: string[];
  /** Argo CD tokens of a read-only account: reads only, 403 on sync and terminate. */
  argocdTokens: string[];
  /** Argo CD tokens allowed to sync and terminate operations (and to read). */
  argocdWriteTokens: string[];
  argocdUsername: string;
  argocdPassword: string;
  harborUsername: string;
  harborPassword: string;
  sonarqubeTokens: string[];
  /** GitLab tokens (`PRIVATE-TOKEN` or `Bearer` on the API, basic-auth password for git pushes). */
  gitlabTokens: string[];
  /** Bearer tokens of the admin API (faults, state twists). */
  adminTokens: string[];
  /** Kubernetes API (Flux) bearer tokens that may only read (GET). */
  fluxTokens: string[];
  /** Kubernetes API (Flux) bearer tokens that may also PATCH (request reconciliation). */
  fluxWriteTokens: string[];
}

/** Ports per service; 0 picks an ephemeral port. */
export interface SandboxPorts {
  admin: number;
  github: number;
  argocd: number;
  harbor: number;
  sonarqube: number;
  gitlab: number;
  flux: number;
}

export interface SandboxOptions {
  /** Folder holding the bare repositories and other state. Seeded when empty. */
  dataDir: string;
  /** Host to bind; loopback only. Defaults to 127.0.0.1. */
  host?: string;
  /** Base port: admin = base, github = base+1, argocd = +2, harbor = +3, sonarqube = +4, gitlab = +5, flux (Kubernetes API) = +6. 0 = all ephemeral. Defaults to 7100. */
  basePort?: number;
  /** Individual port overrides. */
  ports?: Partial<SandboxPorts>;
  /** Registry host written into image names; defaults to `<host>:<harbor port or 7103>`. */
  registryHost?: string;
  timings?: Partial<SandboxTimings>;
  credentials?: Partial<SandboxCredentials>;
  /** Log sink; defaults to console.log. Lines never carry credentials. */
  log?: (line: string) => void;
  /**
   * Plays Argo CD notifications: application changes are POSTed to this
   * webhook with the secret in `X-Slipway-Webhook-Secret`.
   */
  argocdWebhook?: { url: string; secret: string };
  /**
   * Load-test scale: this many more services, copies of the seeded ones'
   * shape with their own repositories, overlays, CI runs, artifacts and
   * Argo CD Applications (`<service>-c001`, …). Only when seeding an empty
   * data dir. Default 0.
   */
  seedClones?: number;
}

export interface SandboxUrls {
  admin: string;
  github: string;
  githubApi: string;
  git: string;
  argocd: string;
  harbor: string;
  sonarqube: string;
  /** The GitLab stand-in: web URLs, and git at `<gitlab>/<group>/<project>.git`. */
  gitlab: string;
  /** `<gitlab>/api/v4`. */
  gitlabApi: string;
  /** The Kubernetes API stand-in serving Flux objects (`/apis/...`). */
  flux: string;
}

/** Commit identity used for commits written by the sandbox. */
export interface GitIdentity {
  name: string;
  email: string;
  /** ISO date; when absent, the current time. */
  date?: string;
}
