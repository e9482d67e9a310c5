import { parseEntityRef } from '@backstage/catalog-model';
import {
  PolicyGate,
  PromotionPolicy,
  promotionPolicySchema,
} from '@slipway/plugin-slipway-common';
import { stringify } from 'yaml';

/** The gate types, in the order the form offers them, with their labels. */
export const GATE_TYPES: { type: PolicyGate['type']; label: string }[] = [
  { type: 'ci-passed', label: 'CI passed for the commit' },
  { type: 'scan', label: 'Image scan thresholds' },
  { type: 'quality-gate', label: 'Quality gate passed' },
  { type: 'signature', label: 'Signature present' },
  { type: 'soak', label: 'Soak in the upstream environment' },
  { type: 'approvals', label: 'Approvals' },
  { type: 'deploy-window', label: 'Deploy window' },
  { type: 'verification', label: 'Verification passed upstream' },
  { type: 'freeze', label: 'Freeze (policy-defined)' },
];

/** A new gate of a type, with the fields that type needs. */
export function defaultGate(
  type: PolicyGate['type'],
  upstream = 'dev',
): PolicyGate {
  switch (type) {
    case 'scan':
      return { type, maxCritical: 0 };
    case 'signature':
      return { type, identity: '', issuer: '' };
    case 'soak':
      return { type, upstream, minutes: 30 };
    case 'approvals':
      return { type, count: 1, groups: [] };
    case 'deploy-window':
      return {
        type,
        timeZone: 'UTC',
        allow: [
          { days: ['mon', 'tue', 'wed', 'thu'], start: '09:00', end: '16:00' },
        ],
      };
    case 'freeze':
      return { type, reason: '' };
    case 'verification':
      return { type, check: 'smoke' };
    default:
      return { type } as PolicyGate;
  }
}

/** One gate in a sentence, for lists and the details view. */
export function describeGate(gate: PolicyGate): string {
  switch (gate.type) {
    case 'ci-passed':
      return 'CI passed for the commit';
    case 'quality-gate':
      return 'Quality gate passed';
    case 'scan': {
      const limits = (
        [
          ['critical', gate.maxCritical],
          ['high', gate.maxHigh],
          ['medium', gate.maxMedium],
          ['low', gate.maxLow],
          ['unknown', gate.maxUnknown],
        ] as const
      )
        .filter(([, value]) => value !== undefined)
        .map(([severity, value]) => `≤ ${value} ${severity}`);
      return `Scan: ${limits.length ? limits.join(', ') : 'scanned'}`;
    }
    case 'signature':
      return `Signed by ${gate.identity} (${gate.issuer})`;
    case 'soak':
      return `Soaked ${gate.minutes} min healthy in ${gate.upstream}`;
    case 'approvals':
      return `${gate.count} approval${
        gate.count === 1 ? '' : 's'
      } from ${gate.groups.map(shortRef).join(' or ')}`;
    case 'deploy-window':
      return `Deploy window: ${gate.allow
        .map(window => `${window.days.join(',')} ${window.start}–${window.end}`)
        .join('; ')} (${gate.timeZone})`;
    case 'freeze':
      return `Frozen: ${gate.reason}`;
    case 'verification':
      return `Verification ${gate.check} passed for the digest in ${
        gate.environment ?? 'the upstream environment'
      }`;
    default:
      return (gate as { type: string }).type;
  }
}

function shortRef(ref: string): string {
  try {
    return parseEntityRef(ref).name;
  } catch {
    return ref;
  }
}

/** An environment's rules in the form: kept in order, renamable. */
export interface EnvironmentDraft {
  /** Stable React key; not part of the policy. */
  key: string;
  name: string;
  rule: PromotionPolicy['environments'][string];
}

/** The form's state: a policy with its environments as an ordered list. */
export interface PolicyDraft {
  description?: string;
  selector: PromotionPolicy['selector'];
  environments: EnvironmentDraft[];
}

let keyCounter = 0;
/** A fresh key for a new environment row. */
export function nextKey(): string {
  keyCounter += 1;
  return `environment-${keyCounter}`;
}

export function draftOf(policy: PromotionPolicy): PolicyDraft {
  return {
    description: policy.description,
    selector: { ...policy.selector },
    environments: Object.entries(policy.environments).map(([name, rule]) => ({
      key: nextKey(),
      name,
      rule,
    })),
  };
}

/** The policy the draft describes (what is validated, shown as YAML and saved). */
export function policyOf(draft: PolicyDraft): PromotionPolicy {
  const selector = Object.fromEntries(
    Object.entries(draft.selector).filter(([, value]) => value !== undefined),
  ) as PromotionPolicy['selector'];
  return {
    ...(draft.description ? { description: draft.description } : {}),
    selector,
    environments: Object.fromEntries(
      draft.environments.map(entry => [entry.name, entry.rule]),
    ),
  };
}

/** A validation problem, at a field of the form. */
export interface FieldIssue {
  /** The form field: `description`, `selector.owners`, `environments.0.gates.1.minutes`, … */
  field: string;
  message: string;
}

/** Fields edited as one comma-separated text box: issues in their items land on the box. */
const LIST_FIELDS = new Set([
  'kinds',
  'owners',
  'systems',
  'entities',
  'groups',
  'days',
]);

function fieldOf(path: PropertyKey[], draft: PolicyDraft): string {
  const parts: string[] = [];
  for (let index = 0; index < path.length; index++) {
    const part = path[index];
    if (index === 1 && path[0] === 'environments') {
      const position = draft.environments.findIndex(e => e.name === part);
      parts.push(String(position));
      continue;
    }
    parts.push(String(part));
    if (typeof part === 'string' && LIST_FIELDS.has(part)) break;
  }
  return parts.join('.');
}

/**
 * Validates the draft with the policy schema itself
 * (`promotionPolicySchema`, the one the backend applies) and says where
 * each problem is. Environment names must also be unique in the form.
 */
export function validateDraft(draft: PolicyDraft): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  draft.environments.forEach((entry, index) => {
    if (seen.has(entry.name)) {
      issues.push({
        field: `environments.${index}.name`,
        message: `${entry.name} is listed twice`,
      });
    }
    seen.add(entry.name);
  });
  const result = promotionPolicySchema.safeParse(policyOf(draft));
  if (!result.success) {
    for (const issue of result.error.issues) {
      // An issue with the environment's key is an issue with its name.
      const path =
        issue.path[0] === 'environments' &&
        issue.path.length === 2 &&
        issue.code !== 'invalid_type'
          ? ['environments', issue.path[1], 'name']
          : issue.path;
      issues.push({ field: fieldOf(path, draft), message: issue.message });
    }
  }
  return issues;
}

/** The policy as YAML, for the expert view and the version diff. */
export function policyYaml(policy: PromotionPolicy): string {
  return stringify(policy, { lineWidth: 0 });
}

/**
 * What a policy selector sees of a catalog entity, read as the backend's
 * `subjectOf` reads it (owner and system refs default to the `default`
 * namespace). The decision itself is slipway-common's `policySelects`.
 */
/** A retired policy applies nowhere: its latest version names no environment. */
export function isRetired(policy: PromotionPolicy): boolean {
  return Object.keys(policy.environments).length === 0;
}
