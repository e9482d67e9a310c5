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
