import { CompoundEntityRef } from '@backstage/catalog-model';
import { Link } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Card from '@material-ui/core/Card';
import CardContent from '@material-ui/core/CardContent';
import CardHeader from '@material-ui/core/CardHeader';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import Skeleton from '@material-ui/lab/Skeleton';
import {
  buildRunLabel,
  EntityState,
  environmentVerdict,
  EnvironmentState,
  imageReference,
  Promotion,
  secretsVerdict,
  SourceReport,
} from '@slipway/plugin-slipway-common';
import { useState } from 'react';
import { ControllerBadge, controllerName } from '../common/ControllerBadge';
import { shortDigest, shortSha, shortTag } from '../common/format';
import { RelativeTime } from '../common/RelativeTime';
import { StatusChip } from '../common/StatusChip';
import { VerdictChip } from '../common/VerdictChip';
import {
  findSource,
  healthTone,
  isPending,
  isSourceHealthy,
  secretsTone,
  syncTone,
} from '../common/status';
import { EnvironmentActions } from './EnvironmentActions';
import { HistoryList } from './HistoryList';
import { InFlightPromotion } from './InFlightPromotion';
import { RolloutView } from './RolloutView';
import { behindFirst, behindLatestBuild } from './pipeline';

const useStyles = makeStyles(theme => ({
  card: { height: '100%', display: 'flex', flexDirection: 'column' },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: theme.spacing(1, 0),
    '& dt': { color: theme.palette.text.secondary },
    '& dd': { margin: 0, minWidth: 0, overflowWrap: 'anywhere' },
  },
  chips: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1) },
  alertMessage: { minWidth: 0, overflowWrap: 'anywhere' },
  sides: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(1.5),
    margin: theme.spacing(0.5, 0),
    '& dt': { fontWeight: 600 },
    '& dd': { margin: 0, minWidth: 0, overflowWrap: 'anywhere' },
  },
  reasons: { margin: 0, paddingLeft: theme.spacing(2.5) },
  links: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    margin: 0,
    padding: 0,
    listStyle: 'none',
  },
}));

/** A placeholder, with an accessible name, for a part whose source has not answered yet. */
function LiveSkeleton(props: { label: string; width: number }) {
  return (
    <span role="progressbar" aria-label={props.label} aria-busy="true">
      <Skeleton variant="rect" width={props.width} height={24} />
    </span>
  );
}

/** Everything known about one environment of the entity. */
export function EnvironmentCard(props: {
  env: EnvironmentState;
  sources: SourceReport[];
  entity: CompoundEntityRef;
  now: number;
  /** The first environment in promotion order, to say when this one lags. */
  first?: EnvironmentState;
  /** The previous environment in promotion order (what "Promote here" takes). */
  upstream?: string;
  /** The whole state, for the artifacts the promote dialog offers. */
  state?: EntityState;
  /** The entity reference, for permissions and promotions. */
  entityRef?: string;
  /** The promotion into this environment in flight or just finished. */
  promotion?: Promotion;
  /**
   * Shows this environment's history in the full-width history section;
   * without it, the card shows the history itself.
   */
  onShowHistory?: (environment: string) => void;
  /** This environment's history is the one shown in the history section. */
  historyShown?: boolean;
}) {
  const { env, sources, entity, now, first, upstream, state, entityRef } =
    props;
  const promotion = props.promotion;
  const behind = behindFirst(env, first);
  const behindBuild =
    state && first?.environment === env.environment
      ? behindLatestBuild(env, state.builds)
      : undefined;
  const verdict = environmentVerdict(env, sources);
  // A streamed state's first part: Git or Argo CD has not answered yet.
  const loading = isPending(sources, 'gitops', 'delivery');
  const calm = verdict.kind === 'awaiting-first-deploy';
  const classes = useStyles();
  const [showHistoryHere, setShowHistoryHere] = useState(false);
  const onShowHistory = props.onShowHistory;
  const showHistory = onShowHistory
    ? Boolean(props.historyShown)
    : showHistoryHere;
  const delivery = findSource(sources, 'delivery');
  const deliveryOk = isSourceHealthy(delivery);
  const name = env.environment;
  const headingId = `slipway-env-${name}-heading`;
  const image = env.desired?.image ?? env.artifact?.image;
  const commit = env.desired?.commit;
  const live = env.live;
  const artifact = env.artifact;
  const secrets = secretsVerdict(live);
  // Before the live state arrives, the delivery source names the controller.
  const controller =
    live?.controller ??
    (delivery?.source.startsWith('flux:') ? 'flux' : undefined);
  const controllerLabel = controllerName(controller);
  // Flux without a configured UI: the object's name to look it up by.
  const fluxObject =
    controller === 'flux' && live && !live.url
      ? `${live.namespace ? `${live.namespace}/` : ''}${live.application}`
      : undefined;

  const links = [
    live?.url && { label: controllerLabel, href: live.url },
    artifact?.build?.url && {
      label: `Build ${buildRunLabel(artifact.build)}`,
      href: artifact.build.url,
    },
    artifact?.url && { label: 'Registry', href: artifact.url },
    artifact?.scan?.reportUrl && {
      label: 'Scan report',
      href: artifact.scan.reportUrl,
    },
  ].filter(Boolean) as { label: string; href: string }[];

  return (
    <Card
      component="section"
      aria-labelledby={headingId}
      className={classes.card}
      data-testid={`environment-${name}`}
    >
      <CardHeader
        title={name}
        titleTypographyProps={{ component: 'h3', variant: 'h6', id: headingId }}
        subheader={
          <span className={classes.chips}>
            <ControllerBadge controller={controller} />
            <span>
              {controller === 'flux'
                ? `reconcile: ${
                    env.syncMode === 'auto'
                      ? 'on every commit'
                      : 'when a promotion lands'
                  }`
                : `sync: ${env.syncMode === 'auto' ? 'automatic' : 'manual'}`}
            </span>
          </span>
        }
        action={
          loading ? (
            <LiveSkeleton label={`Loading the state of ${name}`} width={120} />
          ) : (
            <VerdictChip verdict={verdict} now={now} />
          )
        }
      />
      <CardContent>
        {promotion && <InFlightPromotion promotion={promotion} now={now} />}
        {!loading && verdict.kind === 'awaiting-first-deploy' && (
          <Box mt={1}>
            <Alert severity="info" role="status">
              {verdict.reason}.
            </Alert>
          </Box>
        )}
        {env.drift.drifted && !calm && verdict.kind !== 'awaiting-sync' && (
          <Box mt={1}>
            <Alert
              severity="warning"
              role="status"
              classes={{ message: classes.alertMessage }}
            >
              <AlertTitle>Drift: Git and the cluster disagree</AlertTitle>
              <dl
                className={classes.sides}
                aria-label={`Git and cluster in ${name}`}
              >
                <dt>Git wants</dt>
                <dd>
                  <code>
                    {env.desired?.image
                      ? imageReference(env.desired.image)
                      : 'no image'}
                  </code>
                </dd>
                <dt>Cluster runs</dt>
                <dd>
                  {live && live.images.length > 0
                    ? live.images.map(running => (
                        <div key={running}>
                          <code>{running}</code>
                        </div>
                      ))
                    : 'no images'}
                  {live && ` (${live.syncStatus})`}
                </dd>
              </dl>
              {env.drift.reasons.length > 0 ? (
                <ul
                  aria-label={`Drift reasons in ${name}`}
                  className={classes.reasons}
                >
                  {env.drift.reasons.map(reason => (
                    <li key={reason}>{reason}</li>
                  ))}
                </ul>
              ) : (
                'No reason given.'
              )}
            </Alert>
          </Box>
        )}
        <dl className={classes.facts}>
          <dt>Image</dt>
          <dd>
            {image ? (
              <>
                <code title={image.tag}>{shortTag(image.tag) ?? 'no tag'}</code>
                {image.digest && (
                  <>
                    {' '}
                    <code title={image.digest}>
                      {shortDigest(image.digest)}
                    </code>
                  </>
                )}
                {behind.behind && first && (
                  <>
                    {' '}
                    <StatusChip
                      tone="warning"
                      label={`Behind ${first.environment}`}
                      title={behind.reason}
                    />
                  </>
                )}
                {behindBuild?.behind && behindBuild.build && (
                  <>
                    {' '}
                    <StatusChip
                      tone="warning"
                      label={`Behind ${buildRunLabel(behindBuild.build)}`}
                      title={behindBuild.reason}
                    />
                  </>
                )}
              </>
            ) : (
              'not set in Git'
            )}
          </dd>
          <dt>Commit</dt>
          <dd>
            {commit ? (
              <>
                {commit.url ? (
                  <Link to={commit.url} title={commit.sha}>
                    <code>{shortSha(commit.sha)}</code>
                  </Link>
                ) : (
                  <code title={commit.sha}>{shortSha(commit.sha)}</code>
                )}{' '}
                {commit.message}
              </>
            ) : (
              'unknown'
            )}
          </dd>
          {artifact?.sourceCommit && (
            <>
              <dt>Source</dt>
              <dd>
                <code title={artifact.sourceCommit}>
                  {shortSha(artifact.sourceCommit)}
                </code>
              </dd>
            </>
          )}
          <dt>Deployed by</dt>
          <dd>
            {commit?.author ?? 'unknown'},{' '}
            <RelativeTime iso={commit?.committedAt} now={now} />
          </dd>
          <dt>{controllerLabel}</dt>
          <dd className={classes.chips}>
            {live ? (
              <>
                <StatusChip
                  tone={
                    calm ? 'unknown' : syncTone(live.syncStatus, deliveryOk)
                  }
                  label={`Sync: ${live.syncStatus}`}
                />
                <StatusChip
                  tone={
                    calm ? 'unknown' : healthTone(live.healthStatus, deliveryOk)
                  }
                  label={`Health: ${live.healthStatus}`}
                />
                {live.operation &&
                  ['Running', 'Failed', 'Error'].includes(
                    live.operation.phase,
                  ) && (
                    <StatusChip
                      tone={
                        live.operation.phase === 'Running'
                          ? 'progress'
                          : 'error'
                      }
                      label={`Operation: ${live.operation.phase}`}
                      title={live.operation.message}
                    />
                  )}
              </>
            ) : (
              <>
                {loading && (
                  <LiveSkeleton
                    label={`Loading ${controllerLabel} state of ${name}`}
                    width={200}
                  />
                )}
                {!loading && (
                  <StatusChip tone="unknown" label="Live state unknown" />
                )}
              </>
            )}
          </dd>
          {secrets && (
            <>
              <dt>Secrets</dt>
              <dd className={classes.chips}>
                <StatusChip
                  tone={secretsTone(secrets.status, deliveryOk)}
                  label={
                    secrets.status === 'healthy'
                      ? `${secrets.total} healthy`
                      : `${secrets.healthy} of ${secrets.total} healthy`
                  }
                  title={secrets.reason}
                />
                {secrets.status !== 'healthy' && <span>{secrets.reason}</span>}
              </dd>
            </>
          )}
          {fluxObject && (
            <>
              <dt>Kustomization</dt>
              <dd>
                <code title={`Flux Kustomization in cluster ${live?.instance}`}>
                  {fluxObject}
                </code>
              </dd>
            </>
          )}
          {live?.lastSyncedAt && (
            <>
              <dt>Last sync</dt>
              <dd>
                <RelativeTime iso={live.lastSyncedAt} now={now} />
              </dd>
            </>
          )}
        </dl>
        {live?.rollout && (
          <RolloutView rollout={live.rollout} environment={name} />
        )}
        {links.length > 0 && (
          <ul className={classes.links} aria-label={`Links for ${name}`}>
            {links.map(link => (
              <li key={link.label}>
                <Link to={link.href} aria-label={`${link.label} (${name})`}>
                  {link.label}
                </Link>
              </li>
            ))}
          </ul>
        )}
        {state && entityRef && (
          <EnvironmentActions
            entity={entity}
            entityRef={entityRef}
            environment={name}
            upstream={upstream}
            state={state}
            currentDigest={env.desired?.image?.digest}
          />
        )}
        <Box mt={1}>
          <Button
            size="small"
            variant="outlined"
            aria-expanded={showHistory}
            aria-controls={
              onShowHistory ? 'slipway-history' : `slipway-env-${name}-history`
            }
            onClick={() =>
              onShowHistory
                ? onShowHistory(name)
                : setShowHistoryHere(value => !value)
            }
          >
            {showHistory ? 'Hide history' : `History of ${name}`}
          </Button>
          <div id={`slipway-env-${name}-history`}>
            {showHistory && !onShowHistory && (
              <Box mt={1}>
                <Typography variant="subtitle2" component="h4">
                  History of {name}, newest first
                </Typography>
                <HistoryList entity={entity} environment={name} now={now} />
              </Box>
            )}
          </div>
        </Box>
      </CardContent>
    </Card>
  );
}
