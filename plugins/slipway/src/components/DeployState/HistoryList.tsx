import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { makeStyles } from '@material-ui/core/styles';
import { Link } from '@backstage/core-components';
import {
  HistoryEntry,
  Promotion,
  SourceReport,
} from '@slipway/plugin-slipway-common';
import { useCallback, useEffect, useState } from 'react';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import {
  displayActor,
  shortDigest,
  shortSha,
  shortTag,
} from '../common/format';
import { approvers, promotionKindLabel } from '../Promotion/promotionStatus';
import { usePromotionLink } from '../Promotion/usePromotionLink';
import { RelativeTime } from '../common/RelativeTime';
import { SourceNotice } from '../common/SourceNotice';
import { LoadingSkeleton } from '../common/LoadingSkeleton';
import { mergeHistory } from './history';

const useStyles = makeStyles(theme => ({
  scroll: { overflowX: 'auto' },
  table: { minWidth: 640 },
  // Times, tags and sync state stay on one line; only the change wraps.
  nowrap: { whiteSpace: 'nowrap', verticalAlign: 'top' },
  change: {
    minWidth: '24ch',
    width: '100%',
    verticalAlign: 'top',
    overflowWrap: 'break-word',
    paddingRight: theme.spacing(2),
  },
}));

const PAGE_SIZE = 10;

/** Which promotion, rollback or break-glass made a change; requester and approvers when known. */
function PromotionOrigin(props: {
  id: string;
  promotion?: Promotion | 'unavailable';
  href: string;
}) {
  const { id, promotion, href } = props;
  const known =
    promotion && promotion !== 'unavailable' ? promotion : undefined;
  const kind = known ? promotionKindLabel(known) : 'Promotion';
  const approved = known ? approvers(known) : [];
  return (
    <Typography variant="caption" component="div">
      <Link to={href} aria-label={`${kind} ${id}`}>
        {kind}
      </Link>
      {known && ` requested by ${displayActor(known.requester)}`}
      {approved.length > 0 &&
        `, approved by ${approved.map(a => displayActor(a)).join(', ')}`}
      {known?.reason && ` (${known.reason})`}
    </Typography>
  );
}

/**
 * Deployments of one environment, newest first, one row per deploy (the
 * GitOps commit and its Argo CD sync merged), with "load more".
 */
export function HistoryList(props: {
  entity: CompoundEntityRef;
  environment: string;
  now: number;
}) {
  const { entity, environment, now } = props;
  const classes = useStyles();
  const api = useApi(slipwayApiRef);
  const [items, setItems] = useState<HistoryEntry[]>([]);
  const [sources, setSources] = useState<SourceReport[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | undefined>();

  const load = useCallback(
    async (after?: string) => {
      setLoading(true);
      setError(undefined);
      try {
        const page = await api.getEntityHistory(entity, {
          environment,
          limit: PAGE_SIZE,
          cursor: after,
        });
        setItems(previous =>
          after ? [...previous, ...page.items] : page.items,
        );
        setSources(page.sources);
        setCursor(page.nextCursor);
      } catch (e) {
        setError(e as Error);
      } finally {
        setLoading(false);
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, entity.kind, entity.namespace, entity.name, environment],
  );

  useEffect(() => {
    load();
  }, [load]);

  // Who asked for each change and who approved it, from its promotion.
  const [promotions, setPromotions] = useState<
    Record<string, Promotion | 'unavailable'>
  >({});
  const promotionLink = usePromotionLink();
  useEffect(() => {
    const missing = [
      ...new Set(items.map(item => item.promotionId).filter(Boolean)),
    ].filter(id => !(id! in promotions)) as string[];
    if (missing.length === 0) return;
    let cancelled = false;
    Promise.allSettled(missing.map(id => api.getPromotion(id))).then(
      results => {
        if (cancelled) return;
        setPromotions(previous => {
          const next = { ...previous };
          results.forEach((result, index) => {
            next[missing[index]] =
              result.status === 'fulfilled' ? result.value : 'unavailable';
          });
          return next;
        });
      },
    );
    // eslint-disable-next-line consistent-return
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, items]);

  const rows = mergeHistory(items);
  return (
    <div>
      {sources
        .filter(s => s.status !== 'ok')
        .map(s => (
          <SourceNotice key={s.source} report={s} now={now} />
        ))}
      {error && (
        <Alert severity="error">History unavailable: {error.message}</Alert>
      )}
      {rows.length === 0 && !loading && !error && (
        <Typography variant="body2" color="textSecondary">
          No deployments recorded for {environment}.
        </Typography>
      )}
      {rows.length > 0 && (
        <div className={classes.scroll}>
          <Table
            size="small"
            aria-label={`Deployment history of ${environment}`}
            className={classes.table}
          >
            <TableHead>
              <TableRow>
                <TableCell className={classes.nowrap}>When</TableCell>
                <TableCell className={classes.nowrap}>Image</TableCell>
                <TableCell className={classes.change}>Change</TableCell>
                <TableCell className={classes.nowrap}>Argo CD sync</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map(row => (
                <TableRow key={row.key}>
                  <TableCell className={classes.nowrap}>
                    <RelativeTime iso={row.at} now={now} />
                  </TableCell>
                  <TableCell
                    title={row.image?.digest ?? row.image?.tag}
                    className={classes.nowrap}
                  >
                    <code>
                      {shortTag(row.image?.tag) ??
                        shortDigest(row.image?.digest) ??
                        '—'}
                    </code>
                  </TableCell>
                  <TableCell className={classes.change}>
                    {row.commit?.message ??
                      (row.commit ? 'no message' : 'Argo CD sync')}
                    <Typography
                      variant="caption"
                      color="textSecondary"
                      component="div"
                    >
                      <code title={row.revision}>{shortSha(row.revision)}</code>
                      {row.commit ? ' (Git)' : ' (Argo CD)'}
                      {row.commit?.author ? ` by ${row.commit.author}` : ''}
                    </Typography>
                    {row.promotionId && (
                      <PromotionOrigin
                        id={row.promotionId}
                        promotion={promotions[row.promotionId]}
                        href={promotionLink(row.promotionId)}
                      />
                    )}
                  </TableCell>
                  <TableCell className={classes.nowrap}>
                    {row.sync ? (
                      <>
                        synced <RelativeTime iso={row.sync.at} now={now} />
                        {row.syncs > 1 && ` (${row.syncs} syncs)`}
                      </>
                    ) : (
                      <Typography
                        variant="body2"
                        color="textSecondary"
                        component="span"
                      >
                        not synced yet
                      </Typography>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      {loading && (
        <LoadingSkeleton label={`Loading history of ${environment}`} />
      )}
      {cursor && !loading && (
        <Button
          size="small"
          onClick={() => load(cursor)}
          aria-label={`Load more history of ${environment}`}
        >
          Load more
        </Button>
      )}
    </div>
  );
}
