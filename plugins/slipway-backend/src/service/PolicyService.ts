import {
  AuditorService,
  BackstageCredentials,
  BackstageUserPrincipal,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Request } from 'express';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  promotionPolicySchema,
  PromotionPolicyVersion,
  slipwayPolicyReadPermission,
  slipwayPolicyUpdatePermission,
} from '@slipway/plugin-slipway-common';
import { PolicyStore } from '../database/PolicyStore';

/** Permission-checked, validated, audited access to promotion policies. */
export class PolicyService {
  static create(options: {
    store: PolicyStore;
    permissions: PermissionsService;
    auditor: AuditorService;
  }): PolicyService {
    return new PolicyService(
      options.store,
      options.permissions,
      options.auditor,
    );
  }

  private constructor(
    private readonly store: PolicyStore,
    private readonly permissions: PermissionsService,
    private readonly auditor: AuditorService,
  ) {}

  async list(
    credentials: BackstageCredentials,
  ): Promise<PromotionPolicyVersion[]> {
    await this.authorize(slipwayPolicyReadPermission, credentials);
    return this.store.listLatest();
  }

  async get(
    name: string,
    credentials: BackstageCredentials,
  ): Promise<PromotionPolicyVersion> {
    await this.authorize(slipwayPolicyReadPermission, credentials);
    const policy = await this.store.getLatest(name);
    if (!policy) throw new NotFoundError(`Policy "${name}" not found`);
    return policy;
  }

  async history(
    name: string,
    credentials: BackstageCredentials,
  ): Promise<PromotionPolicyVersion[]> {
    await this.authorize(slipwayPolicyReadPermission, credentials);
    const versions = await this.store.getHistory(name);
    if (versions.length === 0) {
      throw new NotFoundError(`Policy "${name}" not found`);
    }
    return versions;
  }

  async save(
    options: {
      name: string;
      policy: unknown;
      expectedVersion: number;
      comment?: string;
    },
    credentials: BackstageCredentials<BackstageUserPrincipal>,
    request?: Request,
  ): Promise<PromotionPolicyVersion> {
    const audit = await this.auditor.createEvent({
      eventId: 'policy-save',
      request,
      severityLevel: 'medium',
      meta: { policy: options.name, expectedVersion: options.expectedVersion },
    });
    try {
      await this.authorize(slipwayPolicyUpdatePermission, credentials);
      const parsed = promotionPolicySchema.safeParse(options.policy);
      if (!parsed.success) {
        const issues = parsed.error.issues
          .slice(0, 10)
          .map(i => `${i.path.join('.') || '(policy)'}: ${i.message}`)
          .join('; ');
        throw new InputError(`Invalid policy: ${issues}`);
      }
      const saved = await this.store.save({
        name: options.name,
        policy: parsed.data,
        expectedVersion: options.expectedVersion,
        createdBy: credentials.principal.userEntityRef,
        comment: options.comment,
      });
      await audit.success({ meta: { version: saved.version } });
      return saved;
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  }

  private async authorize(
    permission: BasicPermission,
    credentials: BackstageCredentials,
  ): Promise<void> {
    const [decision] = await this.permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Not allowed: ${permission.name}`);
    }
  }
}
