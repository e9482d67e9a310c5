import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { slipwayPromotionCreatePermission } from '@slipway/plugin-slipway-common';
import {
  createPromotionTargetConditionalDecision,
  promotionTargetConditions,
} from '@slipway/plugin-slipway-node';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';

const DEFAULT_ADMIN_GROUPS = ['group:default/platform-admins'];

/** Permissions only members of the platform admin groups hold. */
const ADMIN_ONLY_PERMISSIONS = new Set([
  'slipway.policy.update',
  'argocd.application.write',
  'slipway.promotion.override',
  'slipway.freeze.manage',
  'slipway.retention.read',
]);

/**
 * The portal's permission policy:
 * - Slipway policy changes (`slipway.policy.update`) only for members of the
 *   platform admin groups (`slipway.platformAdminGroups`).
 * - Writes through Roadie's Argo CD backend (`argocd.application.write`:
 *   sync, create, update, delete, terminate) only for platform admins too:
 *   in this portal every change goes through Git.
 * - Break-glass promotions (`slipway.promotion.override`) and freezes
 *   (`slipway.freeze.manage`) for platform admins only, and the image
 *   retention report (`slipway.retention.read`).
 * - Promotions and rollbacks (`slipway.promotion.create`): platform admins
 *   anywhere; everyone else only for entities their groups own, and only
 *   into `slipway.permissions.teamEnvironments` (default: every environment;
 *   a permission for dev never works for prod when prod is not listed).
 * - Approving (`slipway.promotion.approve`): any signed-in user; the
 *   policy's approval gate decides whose approval counts.
 * - Reading Slipway policies for every signed-in user.
 * - Everything else allowed, as in a new Backstage app.
 */
export class SlipwayPortalPermissionPolicy implements PermissionPolicy {
  static fromConfig(config: Config): SlipwayPortalPermissionPolicy {
    const environments = (
      config.getOptionalConfigArray('slipway.environments') ?? []
    ).map(entry => entry.getString('name'));
    return new SlipwayPortalPermissionPolicy(
      config.getOptionalStringArray('slipway.platformAdminGroups') ??
        DEFAULT_ADMIN_GROUPS,
      config.getOptionalStringArray('slipway.permissions.teamEnvironments') ??
        (environments.length > 0 ? environments : ['dev', 'staging', 'prod']),
    );
  }

  private constructor(
    private readonly adminGroups: string[],
    private readonly teamEnvironments: string[],
  ) {}

  private isAdmin(user?: PolicyQueryUser): boolean {
    const refs = user?.info.ownershipEntityRefs ?? [];
    return refs.some(ref => this.adminGroups.includes(ref));
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (ADMIN_ONLY_PERMISSIONS.has(request.permission.name)) {
      return {
        result: this.isAdmin(user)
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      };
    }
    if (isPermission(request.permission, slipwayPromotionCreatePermission)) {
      if (!user) return { result: AuthorizeResult.DENY };
      if (this.isAdmin(user)) return { result: AuthorizeResult.ALLOW };
      return createPromotionTargetConditionalDecision(request.permission, {
        allOf: [
          promotionTargetConditions.isTargetOwner({
            claims: user.info.ownershipEntityRefs,
          }),
          promotionTargetConditions.isTargetEnvironment({
            environments: this.teamEnvironments,
          }),
        ],
      });
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

/** Installs {@link SlipwayPortalPermissionPolicy}. */
export const permissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'slipway-portal-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(SlipwayPortalPermissionPolicy.fromConfig(config));
      },
    });
  },
});
