import { EnvironmentName } from '../defaults';

/** Outcome of a seeded commit's CI run. */
type SeedCiResult = 'success' | 'failure';

export interface SeedScan {
  Critical: number;
  High: number;
  Medium: number;
  Low: number;
  Unknown: number;
}

export interface SeedCommit {
  /** Subject line; also how a restarted sandbox recognises seeded outcomes. */
  subject: string;
  /** The line written to src/index.js, so each commit changes something. */
  feature: string;
  ci: SeedCiResult;
  /** Fixed scan summary; otherwise derived from the digest. */
  scan?: SeedScan;
  /** Whether a cosign signature accessory is attached (default true). */
  signed?: boolean;
  /** Publish a multi-arch index (linux/amd64 + linux/arm64) instead of a single manifest. */
  multiArch?: boolean;
}

/** Live-state twists the seed puts on an Application. */
type SeedLiveState =
  | { kind: 'canary'; stableCommit: number; stepIndex: number }
  | { kind: 'degraded' }
  | { kind: 'drift'; liveCommit: number };

export interface SeedService {
  name: string;
  description: string;
  project: 'team-payments' | 'team-storefront';
  workload: 'Deployment' | 'Rollout';
  commits: SeedCommit[];
  /** Index into `commits` deployed per environment (the final GitOps state). */
  environments: Record<EnvironmentName, number>;
  live?: Partial<Record<EnvironmentName, SeedLiveState>>;
  /** SonarQube quality gate. */
  qualityGate: 'OK' | 'ERROR';
  coverage: number;
  /** The GitOps controller that deploys it (default `argocd`): Argo CD Applications or Flux Kustomizations. */
  controller?: 'argocd' | 'flux';
}

const clean: SeedScan = { Critical: 0, High: 0, Medium: 1, Low: 3, Unknown: 0 };

/**
 * The seeded world. Names are fixed: the example catalog refers to them.
 * Order matters: the seed is written in this order, so it is deterministic.
 */
export const SEED_SERVICES: SeedService[] = [
  {
    name: 'payments-api',
    description: 'Takes card payments and refunds',
    project: 'team-payments',
    workload: 'Deployment',
    commits: [
      {
        subject: 'Initial payments-api skeleton',
        feature: 'skeleton',
        ci: 'success',
        scan: { Critical: 1, High: 2, Medium: 4, Low: 6, Unknown: 0 },
      },
      {
        subject: 'Add refund endpoint',
        feature: 'refunds',
        ci: 'success',
        scan: { Critical: 0, High: 1, Medium: 3, Low: 5, Unknown: 0 },
      },
      {
        subject: 'Retry card authorisation on timeouts',
        feature: 'authorisation-retries',
        ci: 'success',
        scan: clean,
        multiArch: true,
      },
    ],
    environments: { dev: 2, staging: 2, prod: 2 },
    qualityGate: 'OK',
    coverage: 87.4,
  },
  {
    name: 'checkout-web',
    description: 'The storefront checkout',
    project: 'team-storefront',
    workload: 'Deployment',
    commits: [
      {
        subject: 'Initial checkout-web skeleton',
        feature: 'skeleton',
        ci: 'success',
      },
      {
        subject: 'Show delivery estimate on the basket page',
        feature: 'delivery-estimate',
        ci: 'success',
        scan: { Critical: 0, High: 2, Medium: 5, Low: 2, Unknown: 0 },
      },
      {
        subject: 'Add express checkout button',
        feature: 'express-checkout',
        ci: 'success',
        scan: { Critical: 0, High: 0, Medium: 2, Low: 4, Unknown: 0 },
        signed: false,
      },
      {
        subject: 'Try experimental promo banner',
        feature: 'promo-banner',
        ci: 'failure',
      },
    ],
    environments: { dev: 2, staging: 1, prod: 1 },
    qualityGate: 'OK',
    coverage: 72.1,
  },
  {
    name: 'orders-service',
    description: 'Order lifecycle and fulfilment',
    project: 'team-payments',
    workload: 'Rollout',
    commits: [
      {
        subject: 'Initial orders-service skeleton',
        feature: 'skeleton',
        ci: 'success',
      },
      {
        subject: 'Publish order events',
        feature: 'order-events',
        ci: 'success',
        scan: clean,
      },
      {
        subject: 'Split fulfilment into its own queue',
        feature: 'fulfilment-queue',
        ci: 'success',
        scan: { Critical: 0, High: 1, Medium: 2, Low: 3, Unknown: 0 },
      },
    ],
    environments: { dev: 2, staging: 2, prod: 2 },
    live: { prod: { kind: 'canary', stableCommit: 1, stepIndex: 3 } },
    qualityGate: 'OK',
    coverage: 81.0,
  },
  {
    name: 'inventory-api',
    description: 'Stock levels per warehouse',
    project: 'team-storefront',
    workload: 'Deployment',
    commits: [
      {
        subject: 'Initial inventory-api skeleton',
        feature: 'skeleton',
        ci: 'success',
      },
      {
        subject: 'Cache stock levels',
        feature: 'stock-cache',
        ci: 'success',
        scan: clean,
      },
      {
        subject: 'Switch to the new warehouse client',
        feature: 'warehouse-client',
        ci: 'success',
        scan: { Critical: 2, High: 3, Medium: 1, Low: 0, Unknown: 2 },
      },
    ],
    environments: { dev: 2, staging: 2, prod: 1 },
    live: { staging: { kind: 'degraded' } },
    qualityGate: 'ERROR',
    coverage: 41.5,
  },
  {
    name: 'notifications-worker',
    description: 'Sends e-mail and push notifications',
    project: 'team-storefront',
    workload: 'Deployment',
    commits: [
      {
        subject: 'Initial notifications-worker skeleton',
        feature: 'skeleton',
        ci: 'success',
      },
      {
        subject: 'Batch push notifications',
        feature: 'push-batching',
        ci: 'success',
        scan: clean,
      },
      {
        subject: 'Add e-mail templates',
        feature: 'email-templates',
        ci: 'success',
        scan: { Critical: 0, High: 0, Medium: 0, Low: 1, Unknown: 1 },
      },
    ],
    environments: { dev: 2, staging: 2, prod: 1 },
    live: { prod: { kind: 'drift', liveCommit: 2 } },
    qualityGate: 'OK',
    coverage: 90.2,
  },
  {
    // Deployed by Flux (Kustomizations in flux/ of the GitOps repository),
    // not Argo CD. Last, so every other seeded SHA stays as it was.
    name: 'ledger-api',
    description: 'Double-entry ledger of payments and refunds',
    project: 'team-payments',
    workload: 'Deployment',
    controller: 'flux',
    commits: [
      {
        subject: 'Initial ledger-api skeleton',
        feature: 'skeleton',
        ci: 'success',
      },
      {
        subject: 'Post journal entries for captured payments',
        feature: 'journal-entries',
        ci: 'success',
        scan: clean,
      },
      {
        subject: 'Reconcile balances nightly',
        feature: 'nightly-reconciliation',
        ci: 'success',
        scan: { Critical: 0, High: 1, Medium: 2, Low: 2, Unknown: 0 },
      },
    ],
    environments: { dev: 2, staging: 1, prod: 1 },
    qualityGate: 'OK',
    coverage: 84.6,
  },
];

/** The seeded services Argo CD deploys (every one not on Flux). */
export function isArgoCdService(service: SeedService): boolean {
  return (service.controller ?? 'argocd') === 'argocd';
}

/** Start of the seeded history; every seeded date is an offset from it. */
export const SEED_EPOCH = Date.parse('2026-01-05T09:00:00Z');

/** Fixed date of the n-th seeded commit in a repository. */
export function seedDate(repoIndex: number, commitIndex: number): string {
  return new Date(
    SEED_EPOCH + repoIndex * 3_600_000 + commitIndex * 86_400_000,
  ).toISOString();
}

export function findSeedService(name: string): SeedService | undefined {
  return SEED_SERVICES.find(service => service.name === name);
}

/** The seeded commit definition behind a commit subject, if any. */
export function findSeedCommit(
  repo: string,
  subject: string,
): SeedCommit | undefined {
  return findSeedService(repo)?.commits.find(
    commit => commit.subject === subject,
  );
}
