import fc from 'fast-check';
import {
  desiredPolicy,
  isSlipwayRule,
  keepLastPushedRule,
  NO_PROTECTED_TAGS_PATTERN,
  policyChanged,
  protectedTagPattern,
  protectedTagsRule,
  sameRules,
  scaffoldedRules,
  slipwayRuleMark,
  slipwayRules,
  tagUsableInPattern,
} from './retentionRules';

/** The OCI distribution spec's tag grammar. */
const OCI_TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

const foreign = {
  disabled: false,
  action: 'retain',
  template: 'always',
  params: {},
  tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: 'v*' }],
  scope_selectors: {},
};

describe('protectedTagPattern', () => {
  it('lists the tags once each, sorted, as doublestar alternatives', () => {
    expect(protectedTagPattern(['b', 'a', 'b'])).toBe('{a,b}');
  });

  it('keeps nothing with no tags: a literal no OCI tag can equal, neither empty nor a wildcard', () => {
    const pattern = protectedTagPattern([]);
    expect(pattern).toBe(NO_PROTECTED_TAGS_PATTERN);
    expect(pattern).not.toBe('');
    // No doublestar syntax, so Harbor compares it as plain text …
    expect(tagUsableInPattern(pattern)).toBe(true);
    // … and no tag is that text.
    expect(OCI_TAG.test(pattern)).toBe(false);
    fc.assert(fc.property(fc.stringMatching(OCI_TAG), tag => tag !== pattern));
  });
});

describe("Slipway's rules", () => {
  it('are always two, marked, over every repository, never selecting untagged artifacts', () => {
    for (const protectedTags of [[], ['abc']]) {
      const rules = slipwayRules({ keepLastPushed: 4, protectedTags });
      expect(rules.map(slipwayRuleMark)).toEqual([
        'keep-last-pushed',
        'protected',
      ]);
      for (const rule of rules) {
        expect(rule.action).toBe('retain');
        expect(JSON.parse(rule.tag_selectors[0].extras!).untagged).toBe(false);
        expect(rule.scope_selectors?.repository).toEqual([
          { kind: 'doublestar', decoration: 'repoMatches', pattern: '**' },
        ]);
      }
      expect(rules[0]).toMatchObject({
        template: 'latestPushedK',
        params: { latestPushedK: 4 },
      });
      expect(rules[1].template).toBe('always');
    }
    expect(isSlipwayRule(foreign)).toBe(false);
    expect(
      slipwayRuleMark({
        ...foreign,
        tag_selectors: [{ ...foreign.tag_selectors[0], extras: 'not json' }],
      }),
    ).toBeUndefined();
  });

  it('scaffoldedRules keeps the protected rule the task wrote, or starts one protecting nothing', () => {
    expect(scaffoldedRules(undefined, 10)).toEqual([
      keepLastPushedRule(10),
      protectedTagsRule([]),
    ]);
    const written = desiredPolicy(
      undefined,
      7,
      slipwayRules({ keepLastPushed: 10, protectedTags: ['x', 'y'] }),
    );
    // Harbor answers the rules with ids and priorities.
    const stored = {
      ...written,
      id: 3,
      rules: written.rules.map((rule, i) => ({
        ...rule,
        id: i + 1,
        priority: 0,
      })),
    };
    const rules = scaffoldedRules(stored, 5);
    expect(rules[0]).toEqual(keepLastPushedRule(5));
    expect(rules[1].tag_selectors[0].pattern).toBe('{x,y}');
    expect(rules[1].id).toBeUndefined();
  });
});

describe('desiredPolicy and policyChanged', () => {
  const existing = {
    id: 3,
    algorithm: 'or',
    rules: [
      foreign,
      ...slipwayRules({ keepLastPushed: 10, protectedTags: [] }),
    ],
    trigger: { kind: 'Schedule', settings: { cron: '0 0 3 * * *' } },
    scope: { level: 'project', ref: 7 },
  };

  it('a new policy: project scope, no schedule', () => {
    const policy = desiredPolicy(undefined, 7, scaffoldedRules(undefined, 10));
    expect(policy).toMatchObject({
      algorithm: 'or',
      trigger: { kind: 'Schedule', settings: { cron: '' } },
      scope: { level: 'project', ref: 7 },
    });
  });

  it("keeps other rules and the trigger; Slipway's rules are replaced, not added", () => {
    const policy = desiredPolicy(
      existing,
      7,
      slipwayRules({ keepLastPushed: 10, protectedTags: ['a'] }),
    );
    expect(policy.rules).toHaveLength(3);
    expect(policy.rules[0]).toBe(foreign);
    expect(policy.trigger).toBe(existing.trigger);
    expect(policyChanged(existing, policy)).toBe(true);
    expect(
      policyChanged(
        existing,
        desiredPolicy(existing, 7, scaffoldedRules(existing, 10)),
      ),
    ).toBe(false);
  });

  it('a schedule replaces only the cron', () => {
    const policy = desiredPolicy(existing, 7, scaffoldedRules(existing, 10), {
      schedule: '0 0 4 * * *',
    });
    expect(policy.trigger).toEqual({
      kind: 'Schedule',
      settings: { cron: '0 0 4 * * *' },
    });
    expect(sameRules(existing.rules, policy.rules)).toBe(true);
    expect(policyChanged(existing, policy)).toBe(true);
  });
});
