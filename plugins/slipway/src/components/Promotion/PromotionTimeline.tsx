import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { PromotionEvent } from '@slipway/plugin-slipway-common';
import { displayActor } from '../common/format';
import { RelativeTime } from '../common/RelativeTime';
import { StatusChip } from '../common/StatusChip';
import { promotionStateLabel, promotionStateTone } from './promotionStatus';

const useStyles = makeStyles(theme => ({
  list: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
    borderLeft: `2px solid ${theme.palette.divider}`,
  },
  item: {
    position: 'relative',
    padding: theme.spacing(0.5, 0, 1, 2),
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
  message: { flexBasis: '100%', overflowWrap: 'anywhere' },
}));

/** Every transition of a promotion, oldest first, with who and when. */
export function PromotionTimeline(props: {
  events: PromotionEvent[];
  now: number;
}) {
  const { events, now } = props;
  const classes = useStyles();
  if (events.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No transition recorded yet.
      </Typography>
    );
  }
  return (
    <ol className={classes.list} aria-label="Timeline">
      {events.map((event, index) => (
        <li key={`${event.at}-${index}`} className={classes.item}>
          <StatusChip
            tone={promotionStateTone(event.state)}
            label={promotionStateLabel(event.state)}
          />
          <Typography variant="body2" component="span">
            by {displayActor(event.actor)},{' '}
            <RelativeTime iso={event.at} now={now} />
          </Typography>
          {event.message && (
            <Typography
              variant="body2"
              color="textSecondary"
              className={classes.message}
            >
              {event.message}
            </Typography>
          )}
        </li>
      ))}
    </ol>
  );
}
