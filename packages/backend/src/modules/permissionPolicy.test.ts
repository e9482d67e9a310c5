import { mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  slipwayFreezeManagePermission,
  slipwayPolicyReadPermission,
  slipwayPolicyUpdatePermission,
  slipwayPromotionCreatePermission,
  slipwayPromotionOverridePermission,
} from '@slipway/plugin-slipway-common';
import { argoCdWritePermission } from './guardedArgoCd';
import { SlipwayPortalPermissionPolicy } from './permissionPolicy';

function user(ownershipEntityRefs: string[]) {
  return {
    identity: {
      type: 'user' as const,
      userEntityRef: ownershipEntityRefs[0],
      ownershipEntityRefs,
    },
    token: 'token',
    credentials: {} as any,
    info: { userEntityRef: ownershipEntityRefs[0], ownershipEntityRefs },
  };
}

describe('SlipwayPortalPermissionPolicy', () => {
  const policy = SlipwayPortalPermissionPolicy.fromConfig(
    mockServices.rootConfig({ data: {} }),
  );

  it('lets platform admins change promotion policies', async () => {
    const decision = await policy.handle(
      { permission: slipwayPolicyUpdatePermission },
      user(['user:default/alice', 'group:default/platform-admins']),
    );
    expect(decision.result).toBe(AuthorizeResult.ALLOW);
  });

  it('refuses everyone else, including unauthenticated callers', async () => {
    for (const refs of [
      ['user:default/guest', 'group:default/team-payments'],
      ['user:default/platform-admins'],
      ['group:other/platform-admins'],
    ]) {
      const decision = await policy.handle(
        { permission: slipwayPolicyUpdatePermission },
        user(refs),
      );
      expect(decision.result).toBe(AuthorizeResult.DENY);
    }
    expect(
      (await policy.handle({ permission: slipwayPolicyUpdatePermission }))
        .result,
    ).toBe(AuthorizeResult.DENY);
  });

  it('lets signed-in users read policies', async () => {
    const decision = await policy.handle(
      { permission: slipwayPolicyReadPermission },
      user(['user:default/guest']),
    );
    expect(decision.result).toBe(AuthorizeResult.ALLOW);
  });

  it('takes the admin groups from config', async () => {
    const custom = SlipwayPortalPermissionPolicy.fromConfig(
      mockServices.rootConfig({
        data: { slipway: { platformAdminGroups: ['group:default/sre'] } },
      }),
    );
    expect(
      (
        await custom.handle(
          { permission: slipwayPolicyUpdatePermission },
          user(['user:default/x', 'group:default/sre']),
        )
      ).result,
    ).toBe(AuthorizeResult.ALLOW);
    expect(
      (
        await custom.handle(
          { permission: slipwayPolicyUpdatePermission },
          user(['user:default/x', 'group:default/platform-admins']),
        )
      ).result,
    ).toBe(AuthorizeResult.DENY);
  });

  it('gives Argo CD write routes (Roadie backend) to platform admins only', async () => {
    const permission = argoCdWritePermission;
    expect(
      (
        await policy.handle(
          { permission },
          user(['user:default/alice', 'group:default/platform-admins']),
        )
      ).result,
    ).toBe(AuthorizeResult.ALLOW);
    expect(
      (
        await policy.handle(
          { permission },
          user(['user:default/guest', 'group:default/team-payments']),
        )
      ).result,
    ).toBe(AuthorizeResult.DENY);
    expect((await policy.handle({ permission })).result).toBe(
      AuthorizeResult.DENY,
    );
  });
});

describe('promotion permissions', () => {
  const admin = user(['user:default/alice', 'group:default/platform-admins']);
  const member = user(['user:default/guest', 'group:default/team-payments']);

  it('gives admins every promotion permission and freezes', async () => {
    const policy = SlipwayPortalPermissionPolicy.fromConfig(
      mockServices.rootConfig({ data: {} }),
    );
    for (const permission of [
      slipwayPromotionCreatePermission,
      slipwayPromotionOverridePermission,
      slipwayFreezeManagePermission,
    ]) {
      expect((await policy.handle({ permission }, admin)).result).toBe(
        AuthorizeResult.ALLOW,
      );
    }
  });

  it('keeps break-glass and freezes from everyone else', async () => {
    const policy = SlipwayPortalPermissionPolicy.fromConfig(
      mockServices.rootConfig({ data: {} }),
    );
    for (const permission of [
      slipwayPromotionOverridePermission,
      slipwayFreezeManagePermission,
    ]) {
      expect((await policy.handle({ permission }, member)).result).toBe(
        AuthorizeResult.DENY,
      );
    }
  });

  it('lets a team promote what it owns, into its environments only (THREATS 16)', async () => {
    const policy = SlipwayPortalPermissionPolicy.fromConfig(
      mockServices.rootConfig({
        data: {
          slipway: { permissions: { teamEnvironments: ['dev', 'staging'] } },
        },
      }),
    );
    const decision = await policy.handle(
      { permission: slipwayPromotionCreatePermission },
      member,
    );
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'slipway',
      resourceType: 'slipway-promotion-target',
      conditions: {
        allOf: [
          {
            rule: 'IS_TARGET_OWNER',
            resourceType: 'slipway-promotion-target',
            params: {
              claims: ['user:default/guest', 'group:default/team-payments'],
            },
          },
          {
            rule: 'IS_TARGET_ENVIRONMENT',
            resourceType: 'slipway-promotion-target',
            params: { environments: ['dev', 'staging'] },
          },
        ],
      },
    });
    expect(
      (await policy.handle({ permission: slipwayPromotionCreatePermission }))
        .result,
    ).toBe(AuthorizeResult.DENY);
  });
});
