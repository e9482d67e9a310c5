import {
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import { SLIPWAY_PROMOTION_TARGET_RESOURCE_TYPE } from '@slipway/plugin-slipway-common';
import { z } from 'zod';

/** What a promotion permission is decided on: one entity in one environment. @public */
export interface PromotionTarget {
  entityRef: string;
  environment: string;
  /** Owner entity reference (`spec.owner`), when the entity has one. */
  owner?: string;
  /** System entity reference (`spec.system`), when the entity has one. */
  system?: string;
}

/** The promotion target resource, for permission rules and conditions. @public */
export const promotionTargetResourceRef = createPermissionResourceRef<
  PromotionTarget,
  never
>().with({
  pluginId: 'slipway',
  resourceType: SLIPWAY_PROMOTION_TARGET_RESOURCE_TYPE,
});

/** The target environment is one of the given ones. @public */
export const isTargetEnvironment = createPermissionRule({
  name: 'IS_TARGET_ENVIRONMENT',
  description: 'Allow promotions into the given environments only',
  resourceRef: promotionTargetResourceRef,
  paramsSchema: z.object({
    environments: z
      .array(z.string())
      .describe('Environment names, e.g. dev, staging'),
  }),
  apply: (target, { environments }) =>
    environments.includes(target.environment),
  toQuery: () => {
    throw new Error('Promotion targets are not queried');
  },
});

/** The entity is owned by one of the claims (usually the user's ownership references). @public */
export const isTargetOwner = createPermissionRule({
  name: 'IS_TARGET_OWNER',
  description: 'Allow promotions of entities owned by the given claims',
  resourceRef: promotionTargetResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('Entity references, e.g. the user and their groups'),
  }),
  apply: (target, { claims }) =>
    target.owner !== undefined && claims.includes(target.owner),
  toQuery: () => {
    throw new Error('Promotion targets are not queried');
  },
});

/** The permission rules of promotion targets. @public */
export const promotionTargetRules = { isTargetEnvironment, isTargetOwner };

const exports_ = createConditionExports({
  resourceRef: promotionTargetResourceRef,
  rules: promotionTargetRules,
});

/** Conditions for a permission policy, e.g. `promotionTargetConditions.isTargetEnvironment({ environments: ['dev'] })`. @public */
export const promotionTargetConditions = exports_.conditions;

/** Builds a conditional decision on promotion targets for a permission policy. @public */
export const createPromotionTargetConditionalDecision =
  exports_.createConditionalDecision;
