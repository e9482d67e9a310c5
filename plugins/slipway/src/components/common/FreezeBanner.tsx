import { Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { Freeze } from '@slipway/plugin-slipway-common';
import { useCallback } from 'react';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { useLiveQuery } from '../../hooks/useLiveQuery';
import { useSignalRefresh } from '../../hooks/useSignalRefresh';
import { FREEZES_SIGNAL_CHANNEL } from './channels';
import { absoluteTime, displayActor } from './format';
import { activeFreezes, freezeScopeLabel, freezesAffecting } from './freezes';
import { RelativeTime } from './RelativeTime';
import { useNow } from './useNow';

const useStyles = makeStyles(theme => ({
  list: { margin: 0, paddingLeft: theme.spacing(2.5) },
  message: { minWidth: 0, overflowWrap: 'anywhere' },
}));

/**
 * Freezes and "stop the line" in force: who set them, why, and until when.
 * With an `entity`, only the freezes that cover it (globally, one of its
 * `environments`, its system, its owner or itself); without, every active
 * freeze (the fleet page). Renders nothing while loading and when nothing is
 * frozen; updates live when a freeze is set or lifted.
 */
export function FreezeBanner(props: {
  entity?: Entity;
  environments?: string[];
}) {
  const { entity, environments = [] } = props;
  const classes = useStyles();
  const api = useApi(slipwayApiRef);
  const now = useNow(30_000);
  const fetchFreezes = useCallback(async () => api.listFreezes(), [api]);
  const query = useLiveQuery<Freeze[]>('freezes', fetchFreezes);
  useSignalRefresh(FREEZES_SIGNAL_CHANNEL, query.refresh, 250);

  if (!query.value) {
    if (!query.error) return null;
    return (
      <Alert
        severity="warning"
        role="status"
        classes={{ message: classes.message }}
      >
        Could not check for freezes ({query.error.message}); a freeze may hold
        promotions.
      </Alert>
    );
  }
  const active = activeFreezes(query.value, now);
  const shown = entity
    ? freezesAffecting(active, entity, environments)
    : active;
  if (shown.length === 0) return null;
  const stopTheLine = shown.some(freeze => freeze.scope === 'global');
  const title = stopTheLine
    ? 'Stop the line: promotions are held'
    : `${shown.length === 1 ? 'A freeze holds' : 'Freezes hold'} promotions`;
  return (
    <Alert
      severity={stopTheLine ? 'error' : 'warning'}
      role="region"
      aria-label="Freezes in force"
      classes={{ message: classes.message }}
    >
      <AlertTitle>{title}</AlertTitle>
      Requests are accepted, but nothing is deployed until the freeze is lifted.
      <ul className={classes.list}>
        {shown.map(freeze => (
          <li key={freeze.id}>
            <strong>{freezeScopeLabel(freeze)}</strong>: {freeze.reason}. Frozen
            by {displayActor(freeze.createdBy)}{' '}
            <RelativeTime iso={freeze.createdAt} now={now} />,{' '}
            {freeze.until ? (
              <>
                until{' '}
                <time dateTime={freeze.until}>
                  {absoluteTime(freeze.until)}
                </time>
              </>
            ) : (
              'until lifted'
            )}
            .
          </li>
        ))}
      </ul>
    </Alert>
  );
}
