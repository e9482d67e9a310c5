import { mockServices } from '@backstage/backend-test-utils';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { Promotion } from '@slipway/plugin-slipway-common';
import { NotificationsPromotionNotifier } from './NotificationsPromotionNotifier';

const promotion = {
  id: '0b6a8f4e-2f5c-4c1e-9d0a-3f1e2d4c5b6a',
  kind: 'promotion',
  entityRef: 'component:default/payments-api',
  environment: 'prod',
  requester: 'user:default/carol',
  state: 'awaiting-approval',
  artifact: {
    digest: `sha256:${'ab'.repeat(32)}`,
  },
} as Promotion;

function notifier() {
  const send = jest.fn(async () => {});
  const logger = mockServices.logger.mock();
  return {
    send,
    logger,
    notifier: NotificationsPromotionNotifier.create({
      notifications: { send } as unknown as NotificationService,
      logger,
      adminGroups: ['group:default/platform-admins'],
      ownerOf: async () => 'group:default/team-payments',
    }),
  };
}

describe('NotificationsPromotionNotifier', () => {
  it('tells the approver groups, never the requester, with a link to the promotion page', async () => {
    const { notifier: subject, send } = notifier();
    await subject.awaitingApproval(promotion, [
      'group:default/platform-admins',
    ]);
    expect(send).toHaveBeenCalledWith({
      recipients: {
        type: 'entity',
        entityRef: ['group:default/platform-admins'],
        excludeEntityRef: 'user:default/carol',
      },
      payload: expect.objectContaining({
        title: 'Approval needed: Promotion of payments-api to prod',
        link: `/slipway/promotions/${promotion.id}`,
        scope: `slipway-promotion:${promotion.id}`,
      }),
    });
  });

  it('links the requester and break-glass notices to the promotion page too', async () => {
    const { notifier: subject, send } = notifier();
    await subject.finished({ ...promotion, state: 'deployed' });
    await subject.breakGlass({ ...promotion, breakGlass: true });
    expect(send).toHaveBeenCalledTimes(2);
    for (const [message] of send.mock.calls as unknown as [
      { payload: { link: string } },
    ][]) {
      expect(message.payload.link).toBe(`/slipway/promotions/${promotion.id}`);
    }
  });

  it('a failing notifications service never fails the promotion', async () => {
    const { notifier: subject, send, logger } = notifier();
    send.mockRejectedValueOnce(new Error('notifications are down'));
    await expect(
      subject.awaitingApproval(promotion, ['group:default/platform-admins']),
    ).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('notifications are down'),
    );
  });
});
