import { createPermission } from '@backstage/plugin-permission-common';

/** Read promotion policies and their history. @public */
export const slipwayPolicyReadPermission = createPermission({
  name: 'slipway.policy.read',
  attributes: { action: 'read' },
});

/** Create or change a promotion policy. Platform admins only, by default. @public */
export const slipwayPolicyUpdatePermission = createPermission({
  name: 'slipway.policy.update',
  attributes: { action: 'update' },
});

/** Every permission Slipway defines. @public */
export const slipwayPermissions = [
  slipwayPolicyReadPermission,
  slipwayPolicyUpdatePermission,
];
