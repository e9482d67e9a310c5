import { Link } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  isFinalPromotionState,
  Promotion,
} from '@slipway/plugin-slipway-common';
import { displayActor, shortDigest, shortTag } from '../common/format';
import { RelativeTime } from '../common/RelativeTime';
import { StatusChip } from '../common/StatusChip';
import {
  promotionKindLabel,
  promotionStateLabel,
  promotionStateTone,
  promotionSummary,
} from '../Promotion/promotionStatus';
import { usePromotionLink } from '../Promotion/usePromotionLink';

const useStyles = makeStyles(theme => ({
  box: {
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    padding: theme.spacing(1, 1.5),
    margin: theme.spacing(1, 0),
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
    overflowWrap: 'anywhere',
  },
  head: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
}));

/**
 * The promotion into an environment that is in flight (or just finished):
 * its state, what it waits for (approvals, a gate, a pull request, Argo
 * CD) or why it failed, with links. Kept live by the Deploy tab's signals.
 */
export function InFlightPromotion(props: {
  promotion: Promotion;
  now: number;
}) {
  const { promotion, now } = props;
  const classes = useStyles();
  const link = usePromotionLink();
  const final = isFinalPromotionState(promotion.state);
  const artifact =
    shortTag(promotion.artifact.tag) ?? shortDigest(promotion.artifact.digest);
  return (
    <Box
      className={classes.box}
      role="status"
      aria-label={`${promotionKindLabel(promotion)} into ${
        promotion.environment
      }`}
    >
      <div className={classes.head}>
        <Typography variant="subtitle2" component="h4">
          {final ? 'Last' : 'In flight'}: {promotionKindLabel(promotion)} of{' '}
          <code title={promotion.artifact.digest}>{artifact}</code>
        </Typography>
        <StatusChip
          tone={promotionStateTone(promotion.state)}
          label={promotionStateLabel(promotion.state)}
        />
      </div>
      <Typography variant="body2">{promotionSummary(promotion)}</Typography>
      <Typography variant="caption" color="textSecondary">
        Requested by {displayActor(promotion.requester)}{' '}
        <RelativeTime iso={promotion.createdAt} now={now} />
      </Typography>
      <Box display="flex" flexWrap="wrap" style={{ gap: 16 }}>
        {promotion.pullRequest && (
          <Link to={promotion.pullRequest.url}>
            Pull request #{promotion.pullRequest.number}
          </Link>
        )}
        <Link
          to={link(promotion.id)}
          aria-label={`Promotion details (${promotion.environment})`}
        >
          Details
        </Link>
      </Box>
    </Box>
  );
}
