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

/**
 * Resource type of a promotion target: one entity in one environment. The
 * permission decisions for promotions are made on it, so a policy can allow
 * dev and staging to the owning team and keep prod narrower.
 *
 * @public
 */
export const SLIPWAY_PROMOTION_TARGET_RESOURCE_TYPE =
  'slipway-promotion-target';

/** The resource reference of a promotion target: `<entityRef>#<environment>`. @public */
export function promotionTargetRef(
  entityRef: string,
  environment: string,
): string {
  return `${entityRef}#${environment}`;
}

/** Parses {@link promotionTargetRef}; undefined when malformed. @public */
export function parsePromotionTargetRef(
  ref: string,
): { entityRef: string; environment: string } | undefined {
  const hash = ref.lastIndexOf('#');
  if (hash <= 0 || hash === ref.length - 1) return undefined;
  return { entityRef: ref.slice(0, hash), environment: ref.slice(hash + 1) };
}

/** Request a promotion or a rollback into an environment. @public */
export const slipwayPromotionCreatePermission = createPermission({
  name: 'slipway.promotion.create',
  attributes: { action: 'create' },
  resourceType: SLIPWAY_PROMOTION_TARGET_RESOURCE_TYPE,
});

/** Approve or reject a promotion (the policy's approval gate says whose decision counts). @public */
export const slipwayPromotionApprovePermission = createPermission({
  name: 'slipway.promotion.approve',
  attributes: { action: 'update' },
  resourceType: SLIPWAY_PROMOTION_TARGET_RESOURCE_TYPE,
});

/** Break-glass: execute past failing gates, windows or freezes. Always recorded. @public */
export const slipwayPromotionOverridePermission = createPermission({
  name: 'slipway.promotion.override',
  attributes: { action: 'update' },
  resourceType: SLIPWAY_PROMOTION_TARGET_RESOURCE_TYPE,
});

/** Create and lift freezes, including "stop the line". @public */
export const slipwayFreezeManagePermission = createPermission({
  name: 'slipway.freeze.manage',
  attributes: { action: 'update' },
});

/** Read the image retention report (what the registry would delete). Platform admins only, by default. @public */
export const slipwayRetentionReadPermission = createPermission({
  name: 'slipway.retention.read',
  attributes: { action: 'read' },
});

/** Every permission Slipway defines. @public */
export const slipwayPermissions = [
  slipwayPolicyReadPermission,
  slipwayPolicyUpdatePermission,
  slipwayPromotionCreatePermission,
  slipwayPromotionApprovePermission,
  slipwayPromotionOverridePermission,
  slipwayFreezeManagePermission,
  slipwayRetentionReadPermission,
];
