import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { Promotion } from '@slipway/plugin-slipway-common';
import { useCallback } from 'react';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { useLiveQuery } from '../../hooks/useLiveQuery';
import { useSignalRefresh } from '../../hooks/useSignalRefresh';
import { promotionSignalChannel } from '../common/channels';
import { shortSha } from '../common/format';
import { StatusChip } from '../common/StatusChip';
import { useNow } from '../common/useNow';
import { PromotionTimeline } from './PromotionTimeline';
import {
  promotionStateLabel,
  promotionStateTone,
  promotionSummary,
} from './promotionStatus';
import { usePromotionLink } from './usePromotionLink';

/** Commit and pull request links of a promotion. */
export function PromotionLinks(props: { promotion: Promotion }) {
  const { promotion } = props;
  const { commit, pullRequest } = promotion;
  if (!commit && !pullRequest) return null;
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 16 }}>
      {pullRequest && (
        <Link to={pullRequest.url}>
          Pull request #{pullRequest.number}
          {pullRequest.state ? ` (${pullRequest.state})` : ''}
        </Link>
      )}
      {commit &&
        (commit.url ? (
          <Link to={commit.url}>Commit {shortSha(commit.sha)}</Link>
        ) : (
          <span>
            Commit <code title={commit.sha}>{shortSha(commit.sha)}</code>
          </span>
        ))}
    </Box>
  );
}

/** A promotion, kept current with `getPromotion` on each signal of its entity. */
export function usePromotion(id: string, entityRef?: string) {
  const api = useApi(slipwayApiRef);
  const fetchPromotion = useCallback(() => api.getPromotion(id), [api, id]);
  const query = useLiveQuery(id, fetchPromotion);
  useSignalRefresh(
    promotionSignalChannel(entityRef ?? query.value?.entityRef ?? ''),
    query.refresh,
    250,
  );
  return query;
}

/**
 * The live state of a promotion just requested: its state and what it
 * waits for, commit or pull request, and its timeline; updated through
 * signals, no reload.
 */
export function PromotionLive(props: { initial: Promotion }) {
  const { initial } = props;
  const now = useNow(5_000);
  const query = usePromotion(initial.id, initial.entityRef);
  const promotion = query.value ?? initial;
  const link = usePromotionLink();
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 12 }}>
      <Box
        role="status"
        aria-live="polite"
        display="flex"
        flexWrap="wrap"
        alignItems="center"
        style={{ gap: 8 }}
      >
        <StatusChip
          tone={promotionStateTone(promotion.state)}
          label={promotionStateLabel(promotion.state)}
        />
        <Typography variant="body2">{promotionSummary(promotion)}</Typography>
      </Box>
      {query.error && (
        <Alert severity="warning">
          Could not refresh the promotion ({query.error.message}); showing the
          last state received.
        </Alert>
      )}
      <PromotionLinks promotion={promotion} />
      <Typography variant="subtitle2" component="h3">
        Timeline
      </Typography>
      <PromotionTimeline events={promotion.timeline} now={now} />
      <Link to={link(promotion.id)}>Open the promotion page</Link>
    </Box>
  );
}
