import { SandboxCredentials, SandboxTimings } from './types';

export const DEFAULT_BASE_PORT = 7100;
export const DEFAULT_HOST = '127.0.0.1';
export const SANDBOX_OWNER = 'acme';
export const GITOPS_REPO = 'gitops';
/** The GitOps repository on the GitLab side: `acme/gitops-gl`. */
export const GITLAB_GITOPS_PROJECT = 'gitops-gl';
export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

export const SANDBOX_BANNER =
  'SANDBOX: local stand-ins, not real vendor services (GitHub, GitLab, Argo CD, Flux, Harbor, SonarQube)';

/** Identity of commits the sandbox writes (seed, merges, CI). */
export const SANDBOX_IDENTITY = {
  name: 'Slipway Sandbox',
  email: 'sandbox@slipway.invalid',
};

export const DEFAULT_TIMINGS: SandboxTimings = {
  ciQueuedMs: 2000,
  ciRunMs: 6000,
  autoSyncDelayMs: 3000,
  syncOperationMs: 2000,
  progressingMs: 4000,
  canaryStepMs: 5000,
  pollIntervalMs: 1000,
  faultTimeoutMs: 30000,
};

export const DEFAULT_CREDENTIALS: SandboxCredentials = {
  githubTokens: ['sandbox-github-token'],
  argocdTokens: ['sandbox-argocd-token'],
  argocdWriteTokens: ['sandbox-argocd-write-token'],
  argocdUsername: 'admin',
  argocdPassword: 'sandbox-argocd-password',
  harborUsername: 'admin',
  harborPassword: 'sandbox-harbor-password',
  sonarqubeTokens: ['sandbox-sonarqube-token'],
  gitlabTokens: ['sandbox-gitlab-token'],
  adminTokens: ['sandbox-admin-token'],
  fluxTokens: ['sandbox-flux-token'],
  fluxWriteTokens: ['sandbox-flux-write-token'],
};
