import {
  isTargetEnvironment,
  isTargetOwner,
  promotionTargetConditions,
} from './permissions';

const target = {
  entityRef: 'component:default/payments-api',
  environment: 'prod',
  owner: 'group:default/team-payments',
};

describe('promotion target permission rules (THREATS 16)', () => {
  it('IS_TARGET_ENVIRONMENT matches only the listed environments', () => {
    expect(isTargetEnvironment.apply(target, { environments: ['prod'] })).toBe(true);
    expect(
      isTargetEnvironment.apply(target, { environments: ['dev', 'staging'] }),
    ).toBe(false);
    expect(isTargetEnvironment.apply(target, { environments: [] })).toBe(false);
  });

  it('IS_TARGET_OWNER matches the owner against the claims, never a missing owner', () => {
    expect(
      isTargetOwner.apply(target, {
        claims: ['user:default/guest', 'group:default/team-payments'],
      }),
    ).toBe(true);
    expect(
      isTargetOwner.apply(target, { claims: ['group:default/team-storefront'] }),
    ).toBe(false);
    expect(
      isTargetOwner.apply(
        { ...target, owner: undefined },
        { claims: ['group:default/team-payments'] },
      ),
    ).toBe(false);
  });

  it('conditions name the slipway plugin and resource type', () => {
    expect(
      promotionTargetConditions.isTargetEnvironment({ environments: ['dev'] }),
    ).toEqual({
      rule: 'IS_TARGET_ENVIRONMENT',
      resourceType: 'slipway-promotion-target',
      params: { environments: ['dev'] },
    });
  });
});
