import {
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InfoCard, Link, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  entitySignalChannel,
  environmentVerdict,
} from '@slipway/plugin-slipway-common';
import { useCallback } from 'react';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { useLiveQuery } from '../../hooks/useLiveQuery';
import { useSignalRefresh } from '../../hooks/useSignalRefresh';
import { useDeployTabLink } from '../FleetPage/useDeployTabLink';
import { shortDigest, shortTag } from '../common/format';
import { LoadingSkeleton } from '../common/LoadingSkeleton';
import { RelativeTime } from '../common/RelativeTime';
import { StatusChip } from '../common/StatusChip';
import { useNow } from '../common/useNow';
import { isSlipwayAvailable } from './isSlipwayAvailable';

const useStyles = makeStyles({
  nowrap: { whiteSpace: 'nowrap' },
});

/**
 * Overview-tab summary of the Deploy tab: one line per environment with
 * the version Git sets, the environment's verdict (the same common rule the
 * tab, the pipeline strip and the fleet use) and its age, linking to the
 * Deploy tab. One request, the same the tab makes.
 *
 * @public
 */
export function EntityDeployCard() {
  const { entity } = useEntity();
  const classes = useStyles();
  const api = useApi(slipwayApiRef);
  const now = useNow(30_000);
  const entityRef = stringifyEntityRef(entity);
  const deployTab = useDeployTabLink()(entityRef);
  const available = isSlipwayAvailable(entity);
  const fetchState = useCallback(
    async () =>
      // Without annotations there is no state to ask for.
      available ? api.getEntityState(getCompoundEntityRef(entity)) : undefined,
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, entityRef, available],
  );
  const query = useLiveQuery(`card|${entityRef}`, fetchState);
  useSignalRefresh(entitySignalChannel(entityRef), query.refresh);
  const deepLink = { title: 'Open the Deploy tab', link: deployTab };

  if (!available) {
    return (
      <InfoCard title="Deployments" deepLink={deepLink}>
        <Typography variant="body2">
          Slipway is not set up for this entity.{' '}
          <Link to={deployTab}>The Deploy tab</Link> says which annotations to
          add.
        </Typography>
      </InfoCard>
    );
  }
  let body;
  if (query.loading && !query.value) {
    body = <LoadingSkeleton label="Loading deployments" height={96} />;
  } else if (!query.value) {
    body = query.error ? <ResponseErrorPanel error={query.error} /> : null;
  } else if (query.value.environments.length === 0) {
    body = (
      <Typography variant="body2">
        No environment applies to this entity.
      </Typography>
    );
  } else {
    const state = query.value;
    body = (
      <Table size="small" aria-label="Deployments by environment">
        <TableHead>
          <TableRow>
            <TableCell>Environment</TableCell>
            <TableCell>Version</TableCell>
            <TableCell>State</TableCell>
            <TableCell>Changed</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {state.environments.map(env => {
            const verdict = environmentVerdict(env, state.sources);
            const image = env.desired?.image;
            return (
              <TableRow key={env.environment}>
                <TableCell className={classes.nowrap}>
                  <Link
                    to={deployTab}
                    aria-label={`${env.environment} on the Deploy tab`}
                  >
                    {env.environment}
                  </Link>
                </TableCell>
                <TableCell
                  className={classes.nowrap}
                  title={image?.digest ?? image?.tag}
                >
                  <code>
                    {shortTag(image?.tag) ?? shortDigest(image?.digest) ?? '—'}
                  </code>
                </TableCell>
                <TableCell>
                  <StatusChip
                    tone={verdict.tone}
                    label={verdict.label}
                    title={verdict.reason}
                  />
                </TableCell>
                <TableCell className={classes.nowrap}>
                  <RelativeTime
                    iso={
                      env.live?.lastSyncedAt ?? env.desired?.commit?.committedAt
                    }
                    now={now}
                  />
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    );
  }
  return (
    <InfoCard title="Deployments" deepLink={deepLink}>
      {body}
    </InfoCard>
  );
}
