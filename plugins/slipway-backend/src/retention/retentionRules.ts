import { RetentionCandidate } from '@slipway/plugin-slipway-common';
import {
  HarborArtifactSummary,
  HarborRetentionPolicy,
  HarborRetentionRule,
} from './HarborRetentionClient';

/** Harbor's limit on rules per retention policy. */
export const MAX_HARBOR_RULES = 15;

/** Marks Slipway's rules in the selector's `extras` (Harbor reads only `untagged`). */
const MARK = 'slipway';
type Mark = 'keep-last-pushed' | 'protected';

/** Characters with a meaning in a doublestar pattern; OCI tags never hold them. */
const PATTERN_CHARACTERS = /[*?[\]{},\\]/;

/** True when a tag can stand in a `{a,b}` pattern as itself. */
export function tagUsableInPattern(tag: string): boolean {
  return tag.length > 0 && !PATTERN_CHARACTERS.test(tag);
}

/** `{a,b,c}` (sorted, once each): Harbor's doublestar alternatives. */
export function protectedTagPattern(tags: string[]): string {
  return `{${[...new Set(tags)].sort().join(',')}}`;
}

function markedRule(
  mark: Mark,
  template: string,
  pattern: string,
  params: Record<string, unknown>,
): HarborRetentionRule {
  return {
    disabled: false,
    action: 'retain',
    template,
    params,
    tag_selectors: [
      {
        kind: 'doublestar',
        decoration: 'matches',
        pattern,
        extras: JSON.stringify({ untagged: false, [MARK]: mark }),
      },
    ],
    scope_selectors: {
      repository: [
        { kind: 'doublestar', decoration: 'repoMatches', pattern: '**' },
      ],
    },
  };
}

/**
 * Slipway's rules: keep the last `keepLastPushed` pushed (tagged) artifacts
 * of every repository, and always keep the protected tags.
 */
export function slipwayRules(options: {
  keepLastPushed: number;
  protectedTags: string[];
}): HarborRetentionRule[] {
  const rules = [
    markedRule('keep-last-pushed', 'latestPushedK', '**', {
      latestPushedK: options.keepLastPushed,
    }),
  ];
  if (options.protectedTags.length > 0) {
    rules.push(
      markedRule(
        'protected',
        'always',
        protectedTagPattern(options.protectedTags),
        {},
      ),
    );
  }
  return rules;
}

/** True for a rule Slipway wrote (its selector's `extras` names it). */
export function isSlipwayRule(rule: HarborRetentionRule): boolean {
  return (rule.tag_selectors ?? []).some(selector => {
    try {
      return typeof JSON.parse(selector.extras ?? '{}')?.[MARK] === 'string';
    } catch {
      return false;
    }
  });
}

/** The parts of a rule that decide what it keeps (ids and defaults left out). */
function essence(rule: HarborRetentionRule) {
  return JSON.stringify({
    disabled: Boolean(rule.disabled),
    action: rule.action,
    template: rule.template,
    params: rule.params ?? {},
    tag_selectors: rule.tag_selectors ?? [],
    scope_selectors: rule.scope_selectors ?? {},
  });
}

/** True when two rule lists keep the same artifacts (same rules, same order). */
export function sameRules(
  a: HarborRetentionRule[],
  b: HarborRetentionRule[],
): boolean {
  return (
    a.length === b.length &&
    a.every((rule, i) => essence(rule) === essence(b[i]))
  );
}

/**
 * The policy to write: the existing policy's own rules kept as they are
 * (they can only retain more), Slipway's rules replaced; a new policy is
 * scoped to the project with a manual trigger (the schedule is the
 * project's own, set by the template or an admin).
 */
export function desiredPolicy(
  existing: HarborRetentionPolicy | undefined,
  projectId: number,
  rules: HarborRetentionRule[],
): HarborRetentionPolicy {
  const others = (existing?.rules ?? []).filter(r => !isSlipwayRule(r));
  return {
    algorithm: existing?.algorithm ?? 'or',
    rules: [...others, ...rules],
    trigger: existing?.trigger ?? {
      kind: 'Schedule',
      settings: { cron: '' },
      references: {},
    },
    scope: { level: 'project', ref: projectId },
  };
}

/**
 * What Harbor's retention would delete from one repository under Slipway's
 * rules: every top-level artifact that is not among the last
 * `keepLastPushed` tagged ones, holds no protected tag and no immutable tag
 * (untagged artifacts included). Other rules of the policy are not evaluated,
 * so this is what would be deleted at most.
 */
export function wouldDelete(
  repository: string,
  artifacts: HarborArtifactSummary[],
  options: { keepLastPushed: number; protectedTags: Set<string> },
): RetentionCandidate[] {
  const children = new Set(artifacts.flatMap(a => a.children));
  const topLevel = artifacts.filter(a => !children.has(a.digest));
  const kept = new Set(
    topLevel
      .filter(a => a.tags.length > 0)
      .sort((a, b) => (b.pushedAt ?? '').localeCompare(a.pushedAt ?? ''))
      .slice(0, options.keepLastPushed)
      .map(a => a.digest),
  );
  return topLevel
    .filter(
      a =>
        !kept.has(a.digest) &&
        !a.tags.some(t => t.immutable || options.protectedTags.has(t.name)),
    )
    .map(a => ({
      repository,
      digest: a.digest,
      tags: a.tags.map(t => t.name),
      ...(a.pushedAt ? { pushedAt: a.pushedAt } : {}),
    }));
}
