import { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { Promotion } from '@slipway/plugin-slipway-common';
import { PromotionNotifier, SLIPWAY_ACTOR } from './PromotionService';

const TOPIC = 'slipway-promotion';

/**
 * The promotion's page in the portal (the plugin's default route,
 * `/slipway/promotions/:id`): approvals, timeline and links in one place.
 */
function promotionPage(promotion: Promotion): string {
  return `/slipway/promotions/${encodeURIComponent(promotion.id)}`;
}

function what(promotion: Promotion): string {
  const { name } = parseEntityRef(promotion.entityRef);
  const verb = promotion.kind === 'rollback' ? 'Rollback of' : 'Promotion of';
  return `${verb} ${name} to ${promotion.environment}`;
}

/**
 * Tells people about promotions through Backstage notifications: approvers
 * when one awaits them, requesters when theirs finished, failed or was
 * rejected, platform admins and owners when break-glass was used.
 */
export class NotificationsPromotionNotifier implements PromotionNotifier {
  static create(options: {
    notifications: NotificationService;
    logger: LoggerService;
    adminGroups: string[];
    ownerOf: (entityRef: string) => Promise<string | undefined>;
  }): NotificationsPromotionNotifier {
    return new NotificationsPromotionNotifier(options);
  }

  private constructor(
    private readonly o: Parameters<
      typeof NotificationsPromotionNotifier.create
    >[0],
  ) {}

  private async send(
    recipients: string[],
    exclude: string | undefined,
    title: string,
    description: string,
    promotion: Promotion,
    severity: 'normal' | 'high' = 'normal',
  ) {
    const entityRef = recipients.filter(r => r !== SLIPWAY_ACTOR);
    if (entityRef.length === 0) return;
    try {
      await this.o.notifications.send({
        recipients: { type: 'entity', entityRef, excludeEntityRef: exclude },
        payload: {
          title,
          description,
          link: promotionPage(promotion),
          severity,
          topic: TOPIC,
          scope: `slipway-promotion:${promotion.id}`,
        },
      });
    } catch (error) {
      // Notifications are a courtesy: a failure never changes a promotion.
      this.o.logger.warn(
        `Slipway could not send a notification for ${promotion.id}: ${
          (error as Error).message
        }`,
      );
    }
  }

  async awaitingApproval(promotion: Promotion, approverGroups: string[]) {
    await this.send(
      approverGroups,
      promotion.requester,
      `Approval needed: ${what(promotion)}`,
      `${promotion.requester} asks to move ${promotion.artifact.digest.slice(
        0,
        19,
      )} into ${promotion.environment}.`,
      promotion,
    );
  }

  async finished(promotion: Promotion) {
    const outcome =
      promotion.state === 'failed'
        ? `failed: ${promotion.error ?? 'see the timeline'}`
        : promotion.state;
    await this.send(
      [promotion.requester],
      undefined,
      `${what(promotion)}: ${promotion.state}`,
      `${what(promotion)} ${outcome}.`,
      promotion,
      promotion.state === 'failed' ? 'high' : 'normal',
    );
  }

  async breakGlass(promotion: Promotion) {
    const owner = await this.o.ownerOf(promotion.entityRef);
    await this.send(
      [...this.o.adminGroups, ...(owner ? [owner] : [])],
      undefined,
      `Break-glass: ${what(promotion)}`,
      `${promotion.requester} overrides the gates: ${promotion.reason ?? ''}`,
      promotion,
      'high',
    );
  }
}
