import { mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  slipwayPolicyReadPermission,
  slipwayPolicyUpdatePermission,
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
