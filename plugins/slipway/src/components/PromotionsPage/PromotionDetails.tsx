import { Link, ResponseErrorPanel } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Card from '@material-ui/core/Card';
import CardContent from '@material-ui/core/CardContent';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { Promotion } from '@slipway/plugin-slipway-common';
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { displayActor, shortSha } from '../common/format';
import { LoadingSkeleton } from '../common/LoadingSkeleton';
import { RelativeTime } from '../common/RelativeTime';
import { StatusChip } from '../common/StatusChip';
import { useNow } from '../common/useNow';
import { useDeployTabLink } from '../FleetPage/useDeployTabLink';
import { GateList } from '../Promotion/GateList';
import { PromotionLinks, usePromotion } from '../Promotion/PromotionLive';
import { PromotionTimeline } from '../Promotion/PromotionTimeline';
import {
  promotionKindLabel,
  promotionStateLabel,
  promotionStateTone,
  promotionSummary,
  syncResult,
} from '../Promotion/promotionStatus';
import { usePromotionsLink } from '../Promotion/usePromotionLink';
import { DecisionPanel } from './DecisionPanel';

const useStyles = makeStyles(theme => ({
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: theme.spacing(1, 0),
    '& dt': { color: theme.palette.text.secondary },
    '& dd': { margin: 0, minWidth: 0, overflowWrap: 'anywhere' },
  },
  list: { margin: 0, paddingLeft: theme.spacing(2.5) },
}));

function Section(props: {
  id: string;
  title: string;
  children: React.ReactNode;
}) {
  return (
    <Card component="section" aria-labelledby={props.id}>
      <CardContent>
        <Typography id={props.id} variant="h6" component="h3" gutterBottom>
          {props.title}
        </Typography>
        {props.children}
      </CardContent>
    </Card>
  );
}

function Details(props: {
  promotion: Promotion;
  now: number;
  onChanged: (p: Promotion) => void;
}) {
  const { promotion, now, onChanged } = props;
  const classes = useStyles();
  const deployTab = useDeployTabLink();
  const sync = syncResult(promotion);
  const name = displayActor(promotion.entityRef);
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Box
          display="flex"
          flexWrap="wrap"
          alignItems="center"
          style={{ gap: 8 }}
        >
          <Typography variant="h5" component="h2">
            {promotionKindLabel(promotion)} of {name} to {promotion.environment}
          </Typography>
          <StatusChip
            tone={promotionStateTone(promotion.state)}
            label={promotionStateLabel(promotion.state)}
          />
        </Box>
        <Typography variant="body1" role="status" aria-live="polite">
          {promotionSummary(promotion)}
        </Typography>
        {promotion.breakGlass && (
          <Alert severity="warning" style={{ marginTop: 8 }}>
            Break-glass: executed past failing gates, windows or freezes.
            Reason: {promotion.reason ?? 'none recorded'}
          </Alert>
        )}
      </Grid>
      <Grid item xs={12} md={6}>
        <Section id="slipway-promotion-facts" title="What and who">
          <dl className={classes.facts}>
            <dt>Service</dt>
            <dd>
              <Link to={deployTab(promotion.entityRef)}>{name}</Link> (Deploy
              tab)
            </dd>
            <dt>Environment</dt>
            <dd>{promotion.environment}</dd>
            <dt>Tag</dt>
            <dd>
              <code>{promotion.artifact.tag ?? 'none'}</code>
            </dd>
            <dt>Digest</dt>
            <dd>
              <code>{promotion.artifact.digest}</code>
            </dd>
            <dt>Commit</dt>
            <dd>
              {promotion.artifact.sourceCommit ? (
                <code title={promotion.artifact.sourceCommit}>
                  {shortSha(promotion.artifact.sourceCommit)}
                </code>
              ) : (
                'unknown'
              )}
            </dd>
            <dt>Requested by</dt>
            <dd>
              {displayActor(promotion.requester)},{' '}
              <RelativeTime iso={promotion.createdAt} now={now} />
            </dd>
            {promotion.reason && (
              <>
                <dt>Reason</dt>
                <dd>{promotion.reason}</dd>
              </>
            )}
            <dt>Mode</dt>
            <dd>
              {promotion.mode === 'pull-request'
                ? 'Pull request'
                : 'Direct commit'}
            </dd>
            <dt>Policies</dt>
            <dd>
              {promotion.policies.length
                ? promotion.policies
                    .map(p => `${p.name} version ${p.version}`)
                    .join(', ')
                : 'none applies'}
            </dd>
          </dl>
          <PromotionLinks promotion={promotion} />
        </Section>
      </Grid>
      <Grid item xs={12} md={6}>
        <Section id="slipway-promotion-approvals" title="Approvals">
          {promotion.approvals.length === 0 ? (
            <Typography variant="body2" color="textSecondary">
              No approvals or rejections yet.
            </Typography>
          ) : (
            <ul className={classes.list} aria-label="Decisions">
              {promotion.approvals.map(approval => (
                <li key={`${approval.approver}-${approval.at}`}>
                  <StatusChip
                    tone={approval.decision === 'approve' ? 'ok' : 'error'}
                    label={
                      approval.decision === 'approve' ? 'Approved' : 'Rejected'
                    }
                  />{' '}
                  by {displayActor(approval.approver)},{' '}
                  <RelativeTime iso={approval.at} now={now} />
                  {approval.comment && (
                    <Typography variant="body2">
                      “{approval.comment}”
                    </Typography>
                  )}
                </li>
              ))}
            </ul>
          )}
          <Box mt={2}>
            <DecisionPanel promotion={promotion} onChanged={onChanged} />
          </Box>
        </Section>
        <Box mt={3}>
          <Section id="slipway-promotion-sync" title="Argo CD sync">
            <Typography variant="body2">
              {sync ??
                (promotion.state === 'deployed'
                  ? 'Synced and healthy.'
                  : 'Not synced yet.')}
            </Typography>
          </Section>
        </Box>
      </Grid>
      <Grid item xs={12}>
        <Section id="slipway-promotion-gates" title="Gates, as last evaluated">
          <GateList
            gates={promotion.gates}
            now={now}
            label="Gates of the promotion"
          />
        </Section>
      </Grid>
      <Grid item xs={12}>
        <Section id="slipway-promotion-timeline" title="Timeline">
          <PromotionTimeline events={promotion.timeline} now={now} />
        </Section>
      </Grid>
    </Grid>
  );
}

/** One promotion: state, what it waits for, gates, approvals, links, timeline; live. */
export function PromotionDetails() {
  const { id = '' } = useParams();
  const now = useNow(5_000);
  const query = usePromotion(id);
  const listLink = usePromotionsLink();
  const [decided, setDecided] = useState<Promotion | undefined>();
  const promotion =
    decided && query.value && decided.updatedAt > query.value.updatedAt
      ? decided
      : query.value ?? decided;

  let body: React.ReactNode;
  if (query.loading && !promotion) {
    body = (
      <LoadingSkeleton label="Loading the promotion" rows={3} height={96} />
    );
  } else if (!promotion) {
    body =
      (query.error as { statusCode?: number } | undefined)?.statusCode ===
      404 ? (
        <Alert severity="info">
          Promotion {id} was not found, or you cannot see its service.
        </Alert>
      ) : (
        <ResponseErrorPanel error={query.error ?? new Error('No answer')} />
      );
  } else {
    body = (
      <>
        {query.error && (
          <Alert severity="warning" role="status" style={{ marginBottom: 16 }}>
            Refreshing failed ({query.error.message}); showing the last state
            received.
          </Alert>
        )}
        <Details
          promotion={promotion}
          now={now}
          onChanged={next => {
            setDecided(next);
            query.refresh();
          }}
        />
      </>
    );
  }
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
      <Link to={listLink}>All promotions</Link>
      {body}
    </Box>
  );
}
