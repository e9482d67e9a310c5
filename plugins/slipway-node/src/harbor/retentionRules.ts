import { RetentionCandidate } from '@slipway/plugin-slipway-common';
import {
  HarborArtifactSummary,
  HarborRetentionPolicy,
  HarborRetentionRule,
} from './HarborRetentionClient';

/** Harbor's limit on rules per retention policy. @public */
export const MAX_HARBOR_RULES = 15;

/** Tagged artifacts kept per repository when `slipway.retention.keepLastPushed` is not set. @public */
export const DEFAULT_KEEP_LAST_PUSHED = 10;

/**
 * The tag pattern of the protected rule while nothing is protected: a
 * literal no OCI tag can equal (`:` is not allowed in a tag), so the rule
 * keeps nothing, in Harbor and in the sandbox alike. An empty pattern would
 * not do: Harbor matches every tag with it (and refuses it on write), and
 * `{}` leans on how a doublestar version reads empty alternatives.
 *
 * @public
 */
export const NO_PROTECTED_TAGS_PATTERN = 'slipway:no-protected-tags';

/** Marks Slipway's rules in the selector's `extras` (Harbor reads only `untagged`). */
const MARK = 'slipway';

/** Which of Slipway's rules a rule is. @public */
export type SlipwayRuleMark = 'keep-last-pushed' | 'protected';
type Mark = SlipwayRuleMark;

/** Characters with a meaning in a doublestar pattern; OCI tags never hold them. */
const PATTERN_CHARACTERS = /[*?[\]{},\\]/;

/** True when a tag can stand in a `{a,b}` pattern as itself. @public */
export function tagUsableInPattern(tag: string): boolean {
  return tag.length > 0 && !PATTERN_CHARACTERS.test(tag);
}

/**
 * `{a,b,c}` (sorted, once each): Harbor's doublestar alternatives; with no
 * tags, {@link NO_PROTECTED_TAGS_PATTERN}.
 *
 * @public
 */
export function protectedTagPattern(tags: string[]): string {
  if (tags.length === 0) return NO_PROTECTED_TAGS_PATTERN;
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
 * Slipway's keep-last-pushed rule: the `keepLastPushed` most recently pushed
 * tagged artifacts of every repository.
 *
 * @public
 */
export function keepLastPushedRule(
  keepLastPushed: number,
): HarborRetentionRule {
  return markedRule('keep-last-pushed', 'latestPushedK', '**', {
    latestPushedK: keepLastPushed,
  });
}

/**
 * Slipway's protected rule: always keep the artifacts holding one of the
 * tags; with none, a rule that keeps nothing ({@link NO_PROTECTED_TAGS_PATTERN}).
 *
 * @public
 */
export function protectedTagsRule(tags: string[]): HarborRetentionRule {
  return markedRule('protected', 'always', protectedTagPattern(tags), {});
}

/**
 * Slipway's two rules: keep the last `keepLastPushed` pushed (tagged)
 * artifacts of every repository, and always keep the protected tags. Both
 * are always written, so a policy has the same shape before and after the
 * first deployment.
 *
 * @public
 */
export function slipwayRules(options: {
  keepLastPushed: number;
  protectedTags: string[];
}): HarborRetentionRule[] {
  return [
    keepLastPushedRule(options.keepLastPushed),
    protectedTagsRule(options.protectedTags),
  ];
}

/** Which of Slipway's rules a rule is (its selector's `extras` names it); undefined for others. @public */
export function slipwayRuleMark(
  rule: HarborRetentionRule,
): SlipwayRuleMark | undefined {
  for (const selector of rule.tag_selectors ?? []) {
    try {
      const mark = JSON.parse(selector.extras ?? '{}')?.[MARK];
      if (typeof mark === 'string') return mark as SlipwayRuleMark;
    } catch {
      // Not JSON: not Slipway's.
    }
  }
  return undefined;
}

/** True for a rule Slipway wrote (its selector's `extras` names it). @public */
export function isSlipwayRule(rule: HarborRetentionRule): boolean {
  return slipwayRuleMark(rule) !== undefined;
}

/**
 * Slipway's rules for a project the scaffolder sets up: keep the last
 * `keepLastPushed` pushed, and the protected rule exactly as the retention
 * task last wrote it (a template run never drops what the task protects),
 * or one protecting nothing yet.
 *
 * @public
 */
export function scaffoldedRules(
  existing: HarborRetentionPolicy | undefined,
  keepLastPushed: number,
): HarborRetentionRule[] {
  const protectedRule = (existing?.rules ?? []).find(
    rule => slipwayRuleMark(rule) === 'protected',
  );
  return [
    keepLastPushedRule(keepLastPushed),
    protectedRule ? withoutIds(protectedRule) : protectedTagsRule([]),
  ];
}

function withoutIds(rule: HarborRetentionRule): HarborRetentionRule {
  const { id: _id, priority: _priority, ...rest } = rule;
  return rest;
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

/** True when two rule lists keep the same artifacts (same rules, same order). @public */
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
 * (they can only retain more), Slipway's rules replaced; the existing
 * trigger kept unless `schedule` (Harbor cron, with seconds) is given; a new
 * policy is scoped to the project with no schedule (`cron: ''`: it runs only
 * when the project's schedule is set, by an admin or the template).
 *
 * @public
 */
export function desiredPolicy(
  existing: HarborRetentionPolicy | undefined,
  projectId: number,
  rules: HarborRetentionRule[],
  options: { schedule?: string } = {},
): HarborRetentionPolicy {
  const others = (existing?.rules ?? []).filter(r => !isSlipwayRule(r));
  const trigger = existing?.trigger ?? {
    kind: 'Schedule',
    settings: { cron: '' },
    references: {},
  };
  return {
    algorithm: existing?.algorithm ?? 'or',
    rules: [...others, ...rules],
    trigger:
      options.schedule === undefined
        ? trigger
        : {
            ...trigger,
            kind: 'Schedule',
            settings: { ...trigger.settings, cron: options.schedule },
          },
    scope: { level: 'project', ref: projectId },
  };
}

/**
 * True when writing `desired` over `existing` would change what the policy
 * keeps, where it applies or when it runs.
 *
 * @public
 */
export function policyChanged(
  existing: HarborRetentionPolicy,
  desired: HarborRetentionPolicy,
): boolean {
  return (
    !sameRules(existing.rules, desired.rules) ||
    existing.scope?.ref !== desired.scope.ref ||
    existing.trigger?.kind !== desired.trigger.kind ||
    (existing.trigger?.settings?.cron ?? '') !==
      (desired.trigger.settings?.cron ?? '')
  );
}

/**
 * What Harbor's retention would delete from one repository under Slipway's
 * rules: every top-level artifact that is not among the last
 * `keepLastPushed` tagged ones, holds no protected tag and no immutable tag
 * (untagged artifacts included). Other rules of the policy are not evaluated,
 * so this is what would be deleted at most.
 *
 * @public
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
