import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
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
]);

/**
 * The portal's permission policy:
 * - Slipway policy changes (`slipway.policy.update`) only for members of the
 *   platform admin groups (`slipway.platformAdminGroups`).
 * - Writes through Roadie's Argo CD backend (`argocd.application.write`:
 *   sync, create, update, delete, terminate) only for platform admins too:
 *   in this portal every change goes through Git.
 * - Reading Slipway policies for every signed-in user.
 * - Everything else allowed, as in a new Backstage app.
 */
export class SlipwayPortalPermissionPolicy implements PermissionPolicy {
  static fromConfig(config: Config): SlipwayPortalPermissionPolicy {
    return new SlipwayPortalPermissionPolicy(
      config.getOptionalStringArray('slipway.platformAdminGroups') ??
        DEFAULT_ADMIN_GROUPS,
    );
  }

  private constructor(private readonly adminGroups: string[]) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (ADMIN_ONLY_PERMISSIONS.has(request.permission.name)) {
      const refs = user?.info.ownershipEntityRefs ?? [];
      return {
        result: refs.some(ref => this.adminGroups.includes(ref))
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      };
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
