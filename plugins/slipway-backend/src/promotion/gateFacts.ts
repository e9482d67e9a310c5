import {
  ApprovalFact,
  ArtifactState,
  CommitStatus,
  EntityDeployConfig,
  EntityState,
  Freeze,
  FreezeFact,
  GateFacts,
  PolicySubject,
  policySubjectOf,
  SourceKind,
  SourceReport,
  SourceStatus,
} from '@slipway/plugin-slipway-common';
import { CiProvider, UpstreamError } from '@slipway/plugin-slipway-node';
import { StoredApproval } from '../database/PromotionStore';

const RANK: Record<SourceStatus, number> = {
  ok: 0,
  unconfigured: 1,
  stale: 2,
  'rate-limited': 3,
  // Never in a complete state; a gate reading one fails closed as unknown.
  pending: 3,
  error: 4,
};

/** The worst status of every source of a kind in a response; undefined when none reported. */
export function sourceStatusOf(
  sources: SourceReport[],
  kind: SourceKind,
): SourceStatus | undefined {
  let worst: SourceStatus | undefined;
  for (const report of sources) {
    if (report.kind !== kind) continue;
    if (!worst || RANK[report.status] > RANK[worst]) worst = report.status;
  }
  return worst;
}

/** What a policy selector and the permission rules see of an entity (one rule, in slipway-common). */
export const subjectOf = policySubjectOf;

/** The freezes that cover a target: global, its environment, system, owner or the entity itself. */
export function freezesCovering(
  freezes: Freeze[],
  subject: PolicySubject,
  environment: string,
): FreezeFact[] {
  return freezes
    .filter(freeze => {
      switch (freeze.scope) {
        case 'global':
          return true;
        case 'environment':
          return freeze.target === environment;
        case 'system':
          return (
            freeze.target !== undefined && freeze.target === subject.system
          );
        case 'owner':
          return freeze.target !== undefined && freeze.target === subject.owner;
        case 'entity':
          return freeze.target === subject.entityRef;
        default:
          return false;
      }
    })
    .map(({ id, reason, createdBy, scope, target, until }) => ({
      id,
      reason,
      createdBy,
      scope,
      target,
      until,
    }));
}

/**
 * Approvals as gate facts, one per policy version the approver approved,
 * with the approver's ownership references as they are now (membership is
 * re-checked at every evaluation, THREATS 17).
 */
export function approvalFacts(
  approvals: StoredApproval[],
  ownershipOf: Map<string, string[]>,
): ApprovalFact[] {
  return approvals.flatMap(approval =>
    approval.policies.map(policy => ({
      approver: approval.approver,
      ownershipRefs: ownershipOf.get(approval.approver) ?? [approval.approver],
      decision: approval.decision,
      environment: approval.environment,
      digest: approval.digest,
      policyName: policy.name,
      policyVersion: policy.version,
      comment: approval.comment,
    })),
  );
}

/** The digest an environment runs per Git: the overlay's digest, else the registry's for its tag. */
export function environmentDigest(
  state: EntityState,
  environment: string,
): string | undefined {
  const env = state.environments.find(e => e.environment === environment);
  return env?.desired?.image?.digest ?? env?.artifact?.image.digest;
}

/** What a verification gate reads: the source commit's statuses, and how the read went. */
export interface VerificationRead {
  status: SourceStatus;
  statuses?: CommitStatus[];
}

/**
 * Reads the statuses of an artifact's source commit fresh (no cache)
 * through the entity's CI provider, for verification gates. `unconfigured`
 * when the entity names no CI project or its provider cannot read
 * statuses; `error` or `rate-limited` when the read failed (the gates are
 * then unknown and fail closed).
 */
export async function readVerificationStatuses(options: {
  ci: CiProvider[];
  config: Pick<EntityDeployConfig, 'ci'>;
  commit: string | undefined;
  timeoutMs: number;
}): Promise<VerificationRead> {
  const ci = options.config.ci;
  const provider = ci ? options.ci.find(p => p.supports(ci)) : undefined;
  if (!ci || !provider?.listCommitStatuses) return { status: 'unconfigured' };
  // No commit: nothing to read; the gate says the artifact names none.
  if (!options.commit) return { status: 'ok', statuses: [] };
  try {
    const statuses = await provider.listCommitStatuses(
      { projectSlug: ci.projectSlug, commit: options.commit },
      { signal: AbortSignal.timeout(options.timeoutMs) },
    );
    return { status: 'ok', statuses };
  } catch (error) {
    return {
      status:
        error instanceof UpstreamError && error.kind === 'rate-limited'
          ? 'rate-limited'
          : 'error',
    };
  }
}

/** The source commit of an artifact: its recorded commit, else its tag (the full SHA by convention). */
export function sourceCommitOf(artifact: ArtifactState): string | undefined {
  return artifact.sourceCommit ?? artifact.image.tag;
}

/**
 * Gate facts from one fresh state read (sources not `ok` make their gates
 * unknown), the artifact as the registry describes it, soak observations,
 * approvals and freezes.
 */
export function buildGateFacts(options: {
  now: Date;
  environment: string;
  requester: string;
  state: EntityState;
  artifact: ArtifactState & { image: { digest: string } };
  artifactsStatus: SourceStatus | undefined;
  /** Who signed; defaults to the artifact's `signature.signers` (undefined = unknown). */
  signers?: GateFacts['signers'];
  upstream: GateFacts['upstream'];
  approvals: ApprovalFact[];
  freezes: FreezeFact[];
  /** The environment the promotion comes from; undefined for the first. */
  upstreamEnvironment?: string;
  /** The source commit's statuses; only read when a verification gate applies. */
  verification?: VerificationRead;
}): GateFacts {
  const { state, artifact } = options;
  const sourceCommit = sourceCommitOf(artifact);
  return {
    now: options.now,
    environment: options.environment,
    requester: options.requester,
    artifact: {
      digest: artifact.image.digest,
      tag: artifact.image.tag,
      sourceCommit,
    },
    sources: {
      ci: sourceStatusOf(state.sources, 'ci'),
      artifacts: options.artifactsStatus,
      quality: sourceStatusOf(state.sources, 'quality'),
      delivery: sourceStatusOf(state.sources, 'delivery'),
      verification: options.verification?.status,
    },
    build:
      state.builds.find(run => run.commit === sourceCommit) ?? artifact.build,
    scan: artifact.scan,
    // SonarQube reports the project's gate; the state carries it on each artifact.
    quality:
      artifact.quality ??
      state.environments.find(e => e.artifact?.quality)?.artifact?.quality,
    signers: options.signers ?? artifact.signature?.signers,
    upstream: options.upstream,
    approvals: options.approvals,
    freezes: options.freezes,
    upstreamEnvironment: options.upstreamEnvironment,
    commitStatuses: options.verification?.statuses,
  };
}
