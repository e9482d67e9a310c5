import { promotionPolicySchema } from './policy';

const valid = {
  description: 'Standard path to production',
  selector: { kinds: ['component'], owners: ['group:default/team-payments'] },
  environments: {
    staging: {
      mode: 'direct',
      gates: [{ type: 'ci-passed' }, { type: 'scan', maxCritical: 0 }],
    },
    prod: {
      mode: 'pull-request',
      gates: [
        { type: 'soak', upstream: 'staging', minutes: 60 },
        {
          type: 'approvals',
          count: 2,
          groups: ['group:default/platform-admins'],
        },
        {
          type: 'deploy-window',
          timeZone: 'Europe/Berlin',
          allow: [
            {
              days: ['mon', 'tue', 'wed', 'thu'],
              start: '09:00',
              end: '16:00',
            },
          ],
        },
        {
          type: 'signature',
          identity:
            'https://github.com/acme/payments-api/.github/workflows/ci.yaml@refs/heads/main',
          issuer: 'https://token.actions.githubusercontent.com',
        },
      ],
    },
  },
};

describe('promotionPolicySchema', () => {
  it('accepts a complete policy', () => {
    expect(promotionPolicySchema.safeParse(valid).success).toBe(true);
  });

  it.each([
    ['unknown gate', { type: 'magic' }],
    ['extra gate field', { type: 'ci-passed', skip: true }],
    [
      'bad time zone',
      {
        type: 'deploy-window',
        timeZone: 'Mars/Olympus',
        allow: [{ days: ['mon'], start: '09:00', end: '10:00' }],
      },
    ],
    [
      'bad clock',
      {
        type: 'deploy-window',
        timeZone: 'UTC',
        allow: [{ days: ['mon'], start: '9am', end: '10:00' }],
      },
    ],
    [
      'zero approvals',
      { type: 'approvals', count: 0, groups: ['group:default/x'] },
    ],
    [
      'approver not an entity ref',
      { type: 'approvals', count: 1, groups: ['admins'] },
    ],
    ['negative threshold', { type: 'scan', maxHigh: -1 }],
    [
      'issuer not a URL',
      { type: 'signature', identity: 'x', issuer: 'not a url' },
    ],
  ])('refuses %s', (_, gate) => {
    const policy = {
      selector: {},
      environments: { prod: { mode: 'direct', gates: [gate] } },
    };
    expect(promotionPolicySchema.safeParse(policy).success).toBe(false);
  });

  it('refuses environment names that are not DNS labels', () => {
    const policy = {
      selector: {},
      environments: { 'Prod!': { mode: 'direct', gates: [] } },
    };
    expect(promotionPolicySchema.safeParse(policy).success).toBe(false);
  });
});

describe('promotionPolicySchema: every gate and boundary (mutation-tested)', () => {
  function withGates(...gates: unknown[]) {
    return {
      selector: {},
      environments: { prod: { mode: 'direct', gates } },
    };
  }

  function parses(policy: unknown): boolean {
    return promotionPolicySchema.safeParse(policy).success;
  }

  function messages(policy: unknown): string[] {
    const result = promotionPolicySchema.safeParse(policy);
    return result.error?.issues.map(i => i.message) ?? [];
  }

  const window = (start: string, end: string, days = ['mon']) => ({
    days,
    start,
    end,
  });

  it('accepts every gate type an admin can write', () => {
    expect(
      parses(
        withGates(
          { type: 'ci-passed' },
          {
            type: 'scan',
            maxCritical: 0,
            maxHigh: 100000,
            maxMedium: 5,
            maxLow: 50,
            maxUnknown: 1,
          },
          { type: 'quality-gate' },
          { type: 'freeze', reason: 'Black Friday' },
          { type: 'soak', upstream: 'staging', minutes: 1 },
        ),
      ),
    ).toBe(true);
  });

  it('parses a freeze gate and bounds its reason', () => {
    const parsed = promotionPolicySchema.parse(
      withGates({ type: 'freeze', reason: 'Stop the line: incident 42' }),
    );
    expect(parsed?.environments.prod.gates).toEqual([
      { type: 'freeze', reason: 'Stop the line: incident 42' },
    ]);
    expect(parses(withGates({ type: 'freeze', reason: 'x'.repeat(500) }))).toBe(
      true,
    );
    expect(parses(withGates({ type: 'freeze', reason: 'x'.repeat(501) }))).toBe(
      false,
    );
    expect(parses(withGates({ type: 'freeze', reason: '' }))).toBe(false);
    expect(parses(withGates({ type: 'freeze' }))).toBe(false);
  });

  it('parses a verification gate: a safe check name, an optional upstream environment', () => {
    const parsed = promotionPolicySchema.parse(
      withGates(
        { type: 'verification', check: 'smoke' },
        { type: 'verification', check: 'k6', environment: 'staging' },
      ),
    );
    expect(parsed.environments.prod.gates).toEqual([
      { type: 'verification', check: 'smoke' },
      { type: 'verification', check: 'k6', environment: 'staging' },
    ]);
    expect(parses(withGates({ type: 'verification' }))).toBe(false);
    expect(parses(withGates({ type: 'verification', check: '' }))).toBe(false);
    expect(
      parses(withGates({ type: 'verification', check: 'smoke/../prod' })),
    ).toBe(false);
    expect(
      parses(
        withGates({
          type: 'verification',
          check: 'smoke',
          environment: 'Prod',
        }),
      ),
    ).toBe(false);
    expect(
      parses(withGates({ type: 'verification', check: 'smoke', extra: 1 })),
    ).toBe(false);
    expect(
      messages(withGates({ type: 'verification', check: 'Smoke' })),
    ).toEqual([
      'must be a lower-case name of letters, digits, "-" and "_", starting with a letter (at most 63 characters), e.g. smoke',
    ]);
  });

  it('parses a deploy window with several allow windows and a deny list', () => {
    const gate = {
      type: 'deploy-window',
      timeZone: 'America/New_York',
      allow: [
        window('09:00', '12:00', ['mon', 'tue', 'wed', 'thu', 'fri']),
        window('20:00', '23:59', ['sat', 'sun']),
      ],
      deny: [window('22:00', '23:00', ['fri'])],
    };
    const parsed = promotionPolicySchema.parse(withGates(gate));
    expect(parsed?.environments.prod.gates[0]).toEqual(gate);
  });

  it.each(['00:00', '19:59', '20:00', '21:30', '23:59'])(
    'accepts the time %s',
    time => {
      expect(
        parses(
          withGates({
            type: 'deploy-window',
            timeZone: 'UTC',
            allow: [window(time, time)],
          }),
        ),
      ).toBe(true);
    },
  );

  it.each(['24:00', '23:60', '009:00', '09:000', '9:00', ' 09:00', '0900'])(
    'refuses the time %j as HH:MM',
    time => {
      expect(
        messages(
          withGates({
            type: 'deploy-window',
            timeZone: 'UTC',
            allow: [window(time, '23:00')],
          }),
        ),
      ).toContain('must be HH:MM');
    },
  );

  it('refuses a deploy window without allow windows, with an unknown day or too many windows', () => {
    const gate = (extra: object) => ({
      type: 'deploy-window',
      timeZone: 'UTC',
      allow: [window('09:00', '17:00')],
      ...extra,
    });
    expect(parses(withGates(gate({ allow: [] })))).toBe(false);
    expect(
      parses(withGates(gate({ allow: [window('09:00', '17:00', [])] }))),
    ).toBe(false);
    expect(
      parses(
        withGates(gate({ allow: [window('09:00', '17:00', ['monday'])] })),
      ),
    ).toBe(false);
    expect(parses(withGates(gate({ deny: [] })))).toBe(true);
    expect(
      parses(
        withGates(gate({ deny: Array(50).fill(window('12:00', '13:00')) })),
      ),
    ).toBe(true);
    expect(
      parses(
        withGates(gate({ deny: Array(51).fill(window('12:00', '13:00')) })),
      ),
    ).toBe(false);
    expect(
      parses(
        withGates(gate({ allow: Array(50).fill(window('12:00', '13:00')) })),
      ),
    ).toBe(true);
    expect(
      parses(
        withGates(gate({ allow: Array(51).fill(window('12:00', '13:00')) })),
      ),
    ).toBe(false);
  });

  it('bounds the soak time at 30 days', () => {
    const soak = (minutes: number) => ({
      type: 'soak',
      upstream: 'staging',
      minutes,
    });
    expect(parses(withGates(soak(60 * 24 * 30)))).toBe(true);
    expect(parses(withGates(soak(60 * 24 * 30 + 1)))).toBe(false);
    expect(parses(withGates(soak(0)))).toBe(false);
    expect(parses(withGates(soak(1.5)))).toBe(false);
    expect(messages(withGates({ ...soak(5), upstream: 'Staging' }))).toContain(
      'must be a DNS-1123 label',
    );
  });

  it('accepts several approver groups and bounds the list', () => {
    const approvals = (groups: string[], count = 2) => ({
      type: 'approvals',
      count,
      groups,
    });
    expect(
      parses(
        withGates(
          approvals(['group:default/platform-admins', 'group:default/sre']),
        ),
      ),
    ).toBe(true);
    expect(parses(withGates(approvals(['user:default/jane.doe'], 10)))).toBe(
      true,
    );
    expect(parses(withGates(approvals(['group:default/x'], 11)))).toBe(false);
    expect(parses(withGates(approvals([])))).toBe(false);
    expect(
      parses(withGates(approvals(Array(50).fill('group:default/x')))),
    ).toBe(true);
    expect(
      parses(withGates(approvals(Array(51).fill('group:default/x')))),
    ).toBe(false);
  });

  it.each([
    'Group:default/admins',
    'group:default/admins team',
    'group:default/admins\n',
    'group:Default/admins',
    'group:default/',
    'default/admins',
  ])('refuses %j as an entity reference, with the reason', ref => {
    expect(
      messages(withGates({ type: 'approvals', count: 1, groups: [ref] })),
    ).toContain(
      'must be a full entity reference, e.g. group:default/platform-admins',
    );
  });

  it('names the reason for a bad time zone', () => {
    expect(
      messages(
        withGates({
          type: 'deploy-window',
          timeZone: 'Mars/Olympus',
          allow: [window('09:00', '10:00')],
        }),
      ),
    ).toContain('must be an IANA time zone, e.g. Europe/Berlin');
  });

  it('accepts a selector naming systems and entities', () => {
    expect(
      parses({
        selector: {
          kinds: ['component'],
          owners: ['group:default/team-payments'],
          systems: ['system:default/payments'],
          entities: ['component:default/payments-api'],
        },
        environments: {},
      }),
    ).toBe(true);
    expect(
      parses({ selector: { systems: ['payments'] }, environments: {} }),
    ).toBe(false);
    expect(
      parses({ selector: { entities: ['payments-api'] }, environments: {} }),
    ).toBe(false);
    expect(parses({ selector: { kinds: [''] }, environments: {} })).toBe(false);
    expect(parses({ selector: { colour: 'blue' }, environments: {} })).toBe(
      false,
    );
  });

  it('refuses a scan threshold above the bound and a fraction', () => {
    expect(parses(withGates({ type: 'scan', maxCritical: 100001 }))).toBe(
      false,
    );
    expect(parses(withGates({ type: 'scan', maxLow: 0.5 }))).toBe(false);
  });

  it('refuses an unknown mode and an environment key that is not a DNS label', () => {
    expect(
      parses({
        selector: {},
        environments: { prod: { mode: 'yolo', gates: [] } },
      }),
    ).toBe(false);
    expect(
      parses({
        selector: {},
        environments: { 'prod-': { mode: 'direct', gates: [] } },
      }),
    ).toBe(false);
  });
});
