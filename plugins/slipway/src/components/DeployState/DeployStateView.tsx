import {
  Entity,
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  entitySignalChannel,
  EntityState,
  Promotion,
} from '@slipway/plugin-slipway-common';
import { useCallback, useMemo, useState } from 'react';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { useLiveQuery } from '../../hooks/useLiveQuery';
import { useSignalRefresh } from '../../hooks/useSignalRefresh';
import { promotionSignalChannel } from '../common/channels';
import { FreezeBanner } from '../common/FreezeBanner';
import { SourceNotices } from '../common/SourceNotice';
import { LoadingSkeleton } from '../common/LoadingSkeleton';
import { currentPromotion } from '../Promotion/promotionStatus';
import { useNow } from '../common/useNow';
import { ArtifactsCard } from './ArtifactsCard';
import { DeployHistory } from './DeployHistory';
import { EnvironmentCard } from './EnvironmentCard';
import { PipelineStrip } from './PipelineStrip';
import { SourcesBar } from './SourcesBar';

const useStyles = makeStyles(theme => ({
  notices: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
    '&:not(:empty)': { marginBottom: theme.spacing(2) },
  },
}));

function StateSkeleton() {
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <LoadingSkeleton label="Loading deploy state" height={96} />
      </Grid>
      {[0, 1, 2].map(index => (
        <Grid item xs={12} md={4} key={index}>
          <LoadingSkeleton label="Loading environment" height={280} />
        </Grid>
      ))}
    </Grid>
  );
}

function StateBody(props: {
  state: EntityState;
  entity: Entity;
  now: number;
  refreshing: boolean;
  promotions?: Promotion[];
  promotionsError?: Error;
}) {
  const { state, entity, now, refreshing, promotions, promotionsError } = props;
  const classes = useStyles();
  const ref = getCompoundEntityRef(entity);
  const entityRef = stringifyEntityRef(entity);
  const columns = state.environments.length >= 3 ? 4 : 6;
  const [historyOf, setHistoryOf] = useState<string | undefined>();
  const toggleHistory = useCallback(
    (environment: string) =>
      setHistoryOf(shown => (shown === environment ? undefined : environment)),
    [],
  );
  const byEnvironment = useMemo(
    () =>
      Object.fromEntries(
        state.environments.map(env => [
          env.environment,
          currentPromotion(promotions ?? [], env.environment, now),
        ]),
      ),
    [state.environments, promotions, now],
  );
  return (
    <>
      <div className={classes.notices}>
        <FreezeBanner
          entity={entity}
          environments={state.environments.map(env => env.environment)}
        />
        {promotionsError && (
          <Alert severity="warning" role="status">
            Promotions could not be read ({promotionsError.message}); promotions
            in flight are not shown.
          </Alert>
        )}
      </div>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <SourcesBar
            generatedAt={state.generatedAt}
            sources={state.sources}
            now={now}
            refreshing={refreshing}
          />
        </Grid>
        <Grid item xs={12} style={{ paddingTop: 0, paddingBottom: 0 }}>
          <SourceNotices sources={state.sources} now={now} />
        </Grid>
        <Grid item xs={12}>
          <PipelineStrip state={state} promotions={byEnvironment} />
        </Grid>
        <Grid item xs={12}>
          <Typography variant="h6" component="h2">
            Environments
          </Typography>
        </Grid>
        {state.environments.length === 0 && (
          <Grid item xs={12}>
            <Typography>No environment applies to this entity.</Typography>
          </Grid>
        )}
        {state.environments.map((env, index) => (
          <Grid item xs={12} md={6} lg={columns as 4 | 6} key={env.environment}>
            <EnvironmentCard
              env={env}
              sources={state.sources}
              entity={ref}
              now={now}
              first={state.environments[0]}
              upstream={state.environments[index - 1]?.environment}
              state={state}
              entityRef={entityRef}
              promotion={byEnvironment[env.environment]}
              onShowHistory={toggleHistory}
              historyShown={historyOf === env.environment}
            />
          </Grid>
        ))}
        {historyOf && (
          <Grid item xs={12}>
            <DeployHistory
              entity={ref}
              environments={state.environments.map(env => env.environment)}
              environment={historyOf}
              now={now}
              onSelect={setHistoryOf}
              onClose={() => setHistoryOf(undefined)}
            />
          </Grid>
        )}
        <Grid item xs={12}>
          <ArtifactsCard state={state} now={now} />
        </Grid>
      </Grid>
    </>
  );
}

/**
 * Deploy state of an annotated entity: one streamed request (`/state`) for
 * the first paint, each part painted as its sources answer, refreshed in
 * place when the backend signals a change.
 */
export function DeployStateView(props: { entity: Entity }) {
  const { entity } = props;
  const api = useApi(slipwayApiRef);
  const entityRef = stringifyEntityRef(entity);
  const now = useNow(5_000);
  // Streamed: the parts whose sources answered paint first (a slow Argo
  // CD does not hold back Git and CI), the live parts as skeletons.
  const fetchState = useCallback(
    (onPartial: (state: EntityState) => void) =>
      api.getEntityState(getCompoundEntityRef(entity), { onPartial }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, entityRef],
  );
  const query = useLiveQuery(entityRef, fetchState);
  useSignalRefresh(entitySignalChannel(entityRef), query.refresh);
  const fetchPromotions = useCallback(
    async () => api.listPromotions({ entityRef, limit: 50 }),
    [api, entityRef],
  );
  const promotions = useLiveQuery(`promotions|${entityRef}`, fetchPromotions);
  // A promotion's transition changes its card; a deploy changes the state too.
  useSignalRefresh(promotionSignalChannel(entityRef), promotions.refresh, 250);
  useSignalRefresh(promotionSignalChannel(entityRef), query.refresh);

  if (query.loading && !query.value) return <StateSkeleton />;
  if (!query.value) {
    return query.error ? (
      <ResponseErrorPanel error={query.error} />
    ) : (
      <Alert severity="warning">No deploy state returned.</Alert>
    );
  }
  return (
    <>
      {query.error && (
        <Alert severity="warning" role="status" style={{ marginBottom: 16 }}>
          Refreshing failed ({query.error.message}); showing the last state
          received.
        </Alert>
      )}
      <StateBody
        state={query.value}
        entity={entity}
        now={now}
        refreshing={query.refreshing}
        promotions={promotions.value?.items}
        promotionsError={promotions.error}
      />
    </>
  );
}
