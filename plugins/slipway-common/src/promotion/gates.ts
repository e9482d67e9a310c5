import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { PolicyGate, PromotionPolicy } from '../policy';
import { BuildRun, QualityGate, ScanSummary, SourceStatus } from '../state';
import { evaluateDeployWindow } from './deployWindow';
import {
  CommitStatus,
  newestStatusOf,
  verificationContext,
  verificationDigest,
} from './verification';

/** The result of one gate. `unknown` (a source down, a fact missing) fails closed. @public */
export type GateStatus = 'pass' | 'fail' | 'pending' | 'unknown';

/** One gate's verdict, with a reason a person can act on. @public */
export interface GateResult {
  /** Gate type, or `freeze` for an admin freeze. */
  type: PolicyGate['type'];
  status: GateStatus;
  reason: string;
  /** The policy the gate comes from; absent for admin freezes. */
  policy?: { name: string; version: number };
  /** For time-based gates: when the result will change (ISO 8601). */
  changesAt?: string;
}

/** A signer of an artifact, as the registry reports it. @public */
export interface SignerIdentity {
  identity: string;
  issuer: string;
}

/** What the upstream environment ran, as Slipway observed it over time. @public */
export interface SoakObservation {
  /** The digest the upstream environment runs now. */
  digest?: string;
  /** Healthy and synced on that digest right now. */
  healthy: boolean;
  /** First time that digest was observed healthy there, since it was last (re)deployed. */
  healthySince?: string;
}

/** A recorded approval or rejection. @public */
export interface ApprovalFact {
  approver: string;
  /** The approver's ownership references (user and groups), read at evaluation time. */
  ownershipRefs: string[];
  decision: 'approve' | 'reject';
  environment: string;
  digest: string;
  policyName: string;
  policyVersion: number;
  comment?: string;
}

/** An admin freeze that covers the promotion's target. @public */
export interface FreezeFact {
  id: string;
  reason: string;
  createdBy: string;
  /** `global` ("stop the line"), or the scope frozen. */
  scope: 'global' | 'environment' | 'system' | 'owner' | 'entity';
  target?: string;
  until?: string;
}

/**
 * Everything the gates decide on, read fresh for one promotion. Each fact
 * from an upstream carries its source's status in this read; a fact from a
 * source that is not `ok` never passes a gate.
 *
 * @public
 */
export interface GateFacts {
  now: Date;
  environment: string;
  requester: string;
  artifact: { digest: string; tag?: string; sourceCommit?: string };
  sources: {
    ci?: SourceStatus;
    artifacts?: SourceStatus;
    quality?: SourceStatus;
    delivery?: SourceStatus;
    /** The read of the source commit's statuses (verification gates). */
    verification?: SourceStatus;
  };
  build?: BuildRun;
  scan?: ScanSummary;
  quality?: QualityGate;
  /** Undefined when the registry cannot say who signed. */
  signers?: SignerIdentity[];
  /** Observations per upstream environment. */
  upstream: Record<string, SoakObservation | undefined>;
  approvals: ApprovalFact[];
  freezes: FreezeFact[];
  /** The environment a promotion comes from (the one before the target); undefined for the first. */
  upstreamEnvironment?: string;
  /** Statuses of the artifact's source commit, newest first; read only for verification gates. */
  commitStatuses?: CommitStatus[];
}

type Policy = { name: string; version: number };

function sourceUnknown(
  facts: GateFacts,
  source: keyof GateFacts['sources'],
  label: string,
): string | undefined {
  const status = facts.sources[source];
  if (status === 'ok') return undefined;
  return `${label} is ${
    status ?? 'not configured'
  }; the gate cannot be checked`;
}

function ciGate(facts: GateFacts): Omit<GateResult, 'type'> {
  const down = sourceUnknown(facts, 'ci', 'CI');
  if (down) return { status: 'unknown', reason: down };
  const commit = facts.artifact.sourceCommit;
  if (!commit) {
    return { status: 'unknown', reason: 'The artifact names no source commit' };
  }
  const build = facts.build;
  if (!build || build.commit !== commit) {
    return {
      status: 'unknown',
      reason: `No CI run found for commit ${commit.slice(0, 12)}`,
    };
  }
  if (build.status !== 'completed') {
    return {
      status: 'pending',
      reason: `CI run ${build.name ?? build.id} is ${build.status.replace(
        '_',
        ' ',
      )}`,
    };
  }
  if (build.conclusion === 'success') {
    return {
      status: 'pass',
      reason: `CI run ${build.name ?? build.id} passed`,
    };
  }
  return {
    status: 'fail',
    reason: `CI run ${build.name ?? build.id} ended ${
      build.conclusion ?? 'without a conclusion'
    }`,
  };
}

const SEVERITIES = [
  ['critical', 'maxCritical'],
  ['high', 'maxHigh'],
  ['medium', 'maxMedium'],
  ['low', 'maxLow'],
  ['unknown', 'maxUnknown'],
] as const;

function scanGate(
  gate: Extract<PolicyGate, { type: 'scan' }>,
  facts: GateFacts,
): Omit<GateResult, 'type'> {
  const down = sourceUnknown(facts, 'artifacts', 'The registry');
  if (down) return { status: 'unknown', reason: down };
  const scan = facts.scan;
  if (!scan || scan.status === 'NotScanned') {
    return { status: 'unknown', reason: 'The artifact has not been scanned' };
  }
  if (scan.status === 'Pending' || scan.status === 'Running') {
    return {
      status: 'pending',
      reason: `Scan is ${scan.status.toLowerCase()}`,
    };
  }
  if (scan.status !== 'Success') {
    return { status: 'unknown', reason: `Scan ended with ${scan.status}` };
  }
  const over: string[] = [];
  for (const [severity, key] of SEVERITIES) {
    const max = gate[key];
    if (max !== undefined && scan[severity] > max) {
      over.push(`${scan[severity]} ${severity} (max ${max})`);
    }
  }
  if (over.length > 0) {
    return { status: 'fail', reason: `Scan finds ${over.join(', ')}` };
  }
  return {
    status: 'pass',
    reason: `Scan within limits: ${SEVERITIES.map(
      ([severity]) => `${scan[severity]} ${severity}`,
    ).join(', ')}`,
  };
}

function qualityGate(facts: GateFacts): Omit<GateResult, 'type'> {
  const down = sourceUnknown(facts, 'quality', 'SonarQube');
  if (down) return { status: 'unknown', reason: down };
  const status = facts.quality?.status;
  if (!status || status === 'NONE') {
    return { status: 'unknown', reason: 'No quality gate result' };
  }
  if (status === 'OK') return { status: 'pass', reason: 'Quality gate passed' };
  return { status: 'fail', reason: `Quality gate is ${status}` };
}

function signatureGate(
  gate: Extract<PolicyGate, { type: 'signature' }>,
  facts: GateFacts,
): Omit<GateResult, 'type'> {
  const down = sourceUnknown(facts, 'artifacts', 'The registry');
  if (down) return { status: 'unknown', reason: down };
  if (!facts.signers) {
    return {
      status: 'unknown',
      reason: 'The registry does not report who signed the artifact',
    };
  }
  // Pinned: exact identity and issuer, never a pattern.
  const match = facts.signers.some(
    s => s.identity === gate.identity && s.issuer === gate.issuer,
  );
  if (match) {
    return { status: 'pass', reason: `Signed by ${gate.identity}` };
  }
  return {
    status: 'fail',
    reason:
      facts.signers.length === 0
        ? 'The artifact is not signed'
        : `No signature by ${gate.identity} from ${gate.issuer}`,
  };
}

function soakGate(
  gate: Extract<PolicyGate, { type: 'soak' }>,
  facts: GateFacts,
): Omit<GateResult, 'type'> {
  const down = sourceUnknown(facts, 'delivery', 'Argo CD');
  if (down) return { status: 'unknown', reason: down };
  const seen = facts.upstream[gate.upstream];
  const digest = facts.artifact.digest;
  if (!seen || seen.digest !== digest) {
    return {
      status: 'fail',
      reason: `${gate.upstream} does not run ${digest.slice(0, 19)}`,
    };
  }
  if (!seen.healthy || !seen.healthySince) {
    return {
      status: 'pending',
      reason: `${gate.upstream} runs the digest but is not healthy and synced yet`,
    };
  }
  const since = Date.parse(seen.healthySince);
  const until = since + gate.minutes * 60_000;
  if (facts.now.getTime() >= until) {
    return {
      status: 'pass',
      reason: `Healthy in ${gate.upstream} for ${Math.floor(
        (facts.now.getTime() - since) / 60_000,
      )} min (needs ${gate.minutes})`,
    };
  }
  return {
    status: 'pending',
    reason: `Soaking in ${gate.upstream}: ${Math.floor(
      (facts.now.getTime() - since) / 60_000,
    )} of ${gate.minutes} min`,
    changesAt: new Date(until).toISOString(),
  };
}

function verificationGate(
  gate: Extract<PolicyGate, { type: 'verification' }>,
  facts: GateFacts,
): Omit<GateResult, 'type'> {
  const environment = gate.environment ?? facts.upstreamEnvironment;
  if (!environment) {
    return {
      status: 'unknown',
      reason: `${facts.environment} has no upstream environment; name the environment ${gate.check} runs in`,
    };
  }
  const what = `${gate.check} verification in ${environment}`;
  const down = sourceUnknown(facts, 'verification', 'CI');
  if (down) return { status: 'unknown', reason: down };
  const commit = facts.artifact.sourceCommit;
  if (!commit) {
    return { status: 'unknown', reason: 'The artifact names no source commit' };
  }
  const digest = facts.artifact.digest;
  const status = newestStatusOf(
    facts.commitStatuses ?? [],
    verificationContext(environment, gate.check),
  );
  if (!status) {
    return {
      status: 'unknown',
      reason: `No ${what} reported on commit ${commit.slice(0, 12)}`,
    };
  }
  const reported = verificationDigest(status);
  if (!reported) {
    return {
      status: 'unknown',
      reason: `The newest ${what} names no image digest`,
    };
  }
  if (reported !== digest) {
    return {
      status: 'unknown',
      reason: `The newest ${what} is for ${reported.slice(
        0,
        19,
      )}, not ${digest.slice(0, 19)}`,
    };
  }
  switch (status.state) {
    case 'success':
      return { status: 'pass', reason: `${capitalised(what)} passed` };
    case 'pending':
      return { status: 'pending', reason: `${capitalised(what)} is running` };
    case 'failure':
      return { status: 'fail', reason: `${capitalised(what)} failed` };
    default:
      return {
        status: 'fail',
        reason: `${capitalised(what)} ended with an error`,
      };
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Approvals that count for a gate: bound to this promotion, eligible, distinct, never the requester. @public */
export function countingApprovals(
  gate: Extract<PolicyGate, { type: 'approvals' }>,
  policy: Policy,
  facts: GateFacts,
): { approvers: string[]; rejectedBy: string[] } {
  const bound = facts.approvals.filter(
    a =>
      a.environment === facts.environment &&
      a.digest === facts.artifact.digest &&
      a.policyName === policy.name &&
      a.policyVersion === policy.version &&
      a.approver !== facts.requester &&
      a.ownershipRefs.some(ref => gate.groups.includes(ref)),
  );
  const approvers = new Set<string>();
  const rejectedBy = new Set<string>();
  for (const approval of bound) {
    if (approval.decision === 'reject') rejectedBy.add(approval.approver);
    else approvers.add(approval.approver);
  }
  return {
    approvers: [...approvers].sort(),
    rejectedBy: [...rejectedBy].sort(),
  };
}

function approvalsGate(
  gate: Extract<PolicyGate, { type: 'approvals' }>,
  policy: Policy,
  facts: GateFacts,
): Omit<GateResult, 'type'> {
  const { approvers, rejectedBy } = countingApprovals(gate, policy, facts);
  if (rejectedBy.length > 0) {
    return { status: 'fail', reason: `Rejected by ${rejectedBy.join(', ')}` };
  }
  if (approvers.length >= gate.count) {
    return {
      status: 'pass',
      reason: `Approved by ${approvers.join(', ')}`,
    };
  }
  return {
    status: 'pending',
    reason: `${approvers.length} of ${
      gate.count
    } approvals; members of ${gate.groups.join(
      ', ',
    )} other than the requester may approve`,
  };
}

function windowGate(
  gate: Extract<PolicyGate, { type: 'deploy-window' }>,
  facts: GateFacts,
): Omit<GateResult, 'type'> {
  const verdict = evaluateDeployWindow(gate, facts.now);
  return {
    status: verdict.open ? 'pass' : 'fail',
    reason: verdict.reason,
    changesAt: verdict.changesAt,
  };
}

/**
 * Evaluates one gate of a policy against the facts. Pure: the same facts
 * give the same result in the preview, the request and the execution.
 *
 * @public
 */
export function evaluateGate(
  gate: PolicyGate,
  policy: Policy,
  facts: GateFacts,
): GateResult {
  let result: Omit<GateResult, 'type'>;
  switch (gate.type) {
    case 'ci-passed':
      result = ciGate(facts);
      break;
    case 'scan':
      result = scanGate(gate, facts);
      break;
    case 'quality-gate':
      result = qualityGate(facts);
      break;
    case 'signature':
      result = signatureGate(gate, facts);
      break;
    case 'soak':
      result = soakGate(gate, facts);
      break;
    case 'approvals':
      result = approvalsGate(gate, policy, facts);
      break;
    case 'deploy-window':
      result = windowGate(gate, facts);
      break;
    case 'verification':
      result = verificationGate(gate, facts);
      break;
    case 'freeze':
      result = { status: 'fail', reason: `Frozen by policy: ${gate.reason}` };
      break;
    default:
      result = { status: 'unknown', reason: 'Unknown gate type' };
  }
  return { type: gate.type, policy, ...result };
}

/** The admin freezes as gate results: each active freeze fails. @public */
export function evaluateFreezes(facts: GateFacts): GateResult[] {
  return facts.freezes
    .filter(f => !f.until || Date.parse(f.until) > facts.now.getTime())
    .map(freeze => ({
      type: 'freeze' as const,
      status: 'fail' as const,
      reason: `${
        freeze.scope === 'global'
          ? 'Stop the line'
          : `Frozen ${freeze.scope} ${freeze.target ?? ''}`.trim()
      } by ${freeze.createdBy}: ${freeze.reason}`,
      changesAt: freeze.until,
    }));
}

/** A policy that applies to a promotion, with its version. @public */
export interface ApplicablePolicy {
  name: string;
  version: number;
  policy: PromotionPolicy;
}

/** What an entity is, for policy selectors. @public */
export interface PolicySubject {
  entityRef: string;
  kind: string;
  owner?: string;
  system?: string;
}

function entityRefOf(value: unknown, kind: string): string | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(value, { defaultKind: kind, defaultNamespace: 'default' }),
    );
  } catch {
    return undefined;
  }
}

/**
 * What a policy selector and the promotion permission rules see of an
 * entity: its reference, kind, owner and system as full references.
 *
 * @public
 */
export function policySubjectOf(entity: Entity): PolicySubject {
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  return {
    entityRef: stringifyEntityRef(entity),
    kind: entity.kind,
    owner: entityRefOf(spec.owner, 'group'),
    system: entityRefOf(spec.system, 'system'),
  };
}

/**
 * True when a policy's selector matches the entity: every list that is set
 * must contain the entity's value (kinds case-insensitively). An empty
 * selector matches every entity.
 *
 * @public
 */
export function policySelects(
  policy: PromotionPolicy,
  subject: PolicySubject,
): boolean {
  const { kinds, owners, systems, entities } = policy.selector;
  if (
    kinds &&
    !kinds.some(kind => kind.toLowerCase() === subject.kind.toLowerCase())
  )
    return false;
  if (owners && (!subject.owner || !owners.includes(subject.owner)))
    return false;
  if (systems && (!subject.system || !systems.includes(subject.system)))
    return false;
  if (entities && !entities.includes(subject.entityRef)) return false;
  return true;
}

/** How a promotion into an environment is carried out, from every applicable policy. @public */
export interface EnvironmentRules {
  /** `pull-request` when any applicable policy asks for it. */
  mode: 'direct' | 'pull-request';
  /** Only when every applicable policy that names the environment allows it. */
  autoPromote: boolean;
  /** Sync the Argo CD application after the commit lands (any applicable policy asks). */
  sync: boolean;
  policies: { name: string; version: number }[];
  gates: { gate: PolicyGate; policy: { name: string; version: number } }[];
}

/**
 * Combines the rules of every policy that selects the entity and names the
 * environment: all their gates apply; the stricter mode wins.
 *
 * @public
 */
export function environmentRules(
  policies: ApplicablePolicy[],
  subject: PolicySubject,
  environment: string,
): EnvironmentRules {
  const rules: EnvironmentRules = {
    mode: 'direct',
    autoPromote: false,
    sync: false,
    policies: [],
    gates: [],
  };
  let everyAllowsAuto = true;
  for (const entry of [...policies].sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (!policySelects(entry.policy, subject)) continue;
    const rule = entry.policy.environments[environment];
    if (!rule) continue;
    const ref = { name: entry.name, version: entry.version };
    rules.policies.push(ref);
    if (rule.mode === 'pull-request') rules.mode = 'pull-request';
    if (!rule.autoPromote) everyAllowsAuto = false;
    if (rule.sync) rules.sync = true;
    for (const gate of rule.gates) rules.gates.push({ gate, policy: ref });
  }
  rules.autoPromote = rules.policies.length > 0 && everyAllowsAuto;
  return rules;
}

/** The overall verdict of a set of gate results. @public */
export type GatesVerdict =
  | 'ready'
  | 'awaiting-approval'
  | 'pending'
  | 'blocked';

/**
 * Sums gate results up: `blocked` when any gate fails or is unknown (unknown
 * fails closed), `pending` when a non-approval gate waits (CI, scan, soak,
 * verification),
 * `awaiting-approval` when only approvals are missing, else `ready`.
 *
 * @public
 */
export function gatesVerdict(results: GateResult[]): GatesVerdict {
  if (results.some(r => r.status === 'fail' || r.status === 'unknown')) {
    return 'blocked';
  }
  const pending = results.filter(r => r.status === 'pending');
  if (pending.some(r => r.type !== 'approvals')) return 'pending';
  if (pending.length > 0) return 'awaiting-approval';
  return 'ready';
}

/**
 * Evaluates every gate that applies, admin freezes first. Pure; the
 * preview, the request, the approval and the execution all call it.
 *
 * @public
 */
export function evaluateGates(
  rules: EnvironmentRules,
  facts: GateFacts,
): { verdict: GatesVerdict; results: GateResult[] } {
  const results = [
    ...evaluateFreezes(facts),
    ...rules.gates.map(({ gate, policy }) => evaluateGate(gate, policy, facts)),
  ];
  return { verdict: gatesVerdict(results), results };
}
