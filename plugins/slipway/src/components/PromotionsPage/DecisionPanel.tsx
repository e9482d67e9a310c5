import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  isFinalPromotionState,
  Promotion,
  promotionTargetRef,
  slipwayPromotionApprovePermission,
} from '@slipway/plugin-slipway-common';
import { useState } from 'react';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { displayActor } from '../common/format';
import { approvalNeeds } from '../Promotion/promotionStatus';
import { useCurrentUser } from './useCurrentUser';

/**
 * Approve or reject, with a comment, for users who may: the approve
 * permission on the target, a member of an approver group, never the
 * requester. Others read why they cannot. The requester may cancel.
 */
export function DecisionPanel(props: {
  promotion: Promotion;
  onChanged: (promotion: Promotion) => void;
}) {
  const { promotion, onChanged } = props;
  const api = useApi(slipwayApiRef);
  const user = useCurrentUser();
  const permission = usePermission({
    permission: slipwayPromotionApprovePermission,
    resourceRef: promotionTargetRef(promotion.entityRef, promotion.environment),
  });
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [rejectTried, setRejectTried] = useState(false);

  const takesDecisions =
    promotion.state === 'awaiting-approval' ||
    (promotion.state === 'blocked' &&
      promotion.gates.some(
        g => g.type === 'approvals' && g.status === 'pending',
      ));
  const cancellable =
    ['requested', 'blocked', 'awaiting-approval'].includes(promotion.state) &&
    user.userEntityRef === promotion.requester;
  if (
    isFinalPromotionState(promotion.state) ||
    (!takesDecisions && !cancellable)
  ) {
    return null;
  }

  async function run(action: () => Promise<Promotion>) {
    setBusy(true);
    setError(undefined);
    try {
      onChanged(await action());
      setComment('');
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  const needs = approvalNeeds(promotion.gates);
  const mine = promotion.approvals.find(a => a.approver === user.userEntityRef);
  let why: string | undefined;
  if (user.loading || permission.loading) why = undefined;
  else if (user.userEntityRef === promotion.requester)
    why =
      'You requested this promotion; someone else in an approver group must approve it.';
  else if (!permission.allowed)
    why = `You may not approve promotions of ${displayActor(
      promotion.entityRef,
    )} into ${promotion.environment}.`;
  else if (
    needs &&
    needs.groups.length > 0 &&
    !needs.groups.some(g => user.ownershipEntityRefs.includes(g))
  )
    why = `Only members of ${needs.groups
      .map(displayActor)
      .join(', ')} may approve.`;
  else if (mine)
    why = `You already ${
      mine.decision === 'approve' ? 'approved' : 'rejected'
    } this promotion.`;

  const rejectNeedsComment = rejectTried && !comment.trim();
  return (
    <Box
      component="section"
      aria-labelledby="slipway-decision-heading"
      display="flex"
      flexDirection="column"
      style={{ gap: 12 }}
    >
      <Typography
        id="slipway-decision-heading"
        variant="subtitle1"
        component="h4"
      >
        Your decision
      </Typography>
      {takesDecisions && why && <Typography variant="body2">{why}</Typography>}
      {takesDecisions && !why && !user.loading && !permission.loading && (
        <>
          <TextField
            id="slipway-decision-comment"
            label="Comment"
            multiline
            minRows={2}
            variant="outlined"
            fullWidth
            value={comment}
            onChange={event => setComment(event.target.value)}
            error={rejectNeedsComment}
            helperText={
              rejectNeedsComment
                ? 'Say why you reject it'
                : 'Recorded with your decision'
            }
          />
          <Box display="flex" style={{ gap: 8 }}>
            <Button
              variant="contained"
              color="primary"
              disabled={busy}
              onClick={() =>
                run(() =>
                  api.decidePromotion(promotion.id, {
                    decision: 'approve',
                    comment: comment.trim() || undefined,
                  }),
                )
              }
            >
              Approve
            </Button>
            <Button
              variant="outlined"
              disabled={busy}
              onClick={() => {
                setRejectTried(true);
                if (!comment.trim()) return;
                run(() =>
                  api.decidePromotion(promotion.id, {
                    decision: 'reject',
                    comment: comment.trim(),
                  }),
                );
              }}
            >
              Reject
            </Button>
          </Box>
        </>
      )}
      {cancellable && (
        <Box>
          <Button
            variant="outlined"
            disabled={busy}
            onClick={() => run(() => api.cancelPromotion(promotion.id))}
          >
            Cancel this promotion
          </Button>
        </Box>
      )}
      {error && <Alert severity="error">Not recorded: {error.message}</Alert>}
    </Box>
  );
}
