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

/** Deployments of one environment, newest first, with "load more". */
export function HistoryList(props: {
  entity: CompoundEntityRef;
  environment: string;
  now: number;
}) {
  const { entity, environment, now } = props;
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

  const sorted = [...items].sort((a, b) => b.at.localeCompare(a.at));
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
      {sorted.length === 0 && !loading && !error && (
        <Typography variant="body2" color="textSecondary">
          No deployments recorded for {environment}.
        </Typography>
      )}
      {sorted.length > 0 && (
        <Table size="small" aria-label={`Deployment history of ${environment}`}>
          <TableHead>
            <TableRow>
              <TableCell>When</TableCell>
              <TableCell>Image</TableCell>
              <TableCell>Change</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {sorted.map(item => (
              <TableRow key={`${item.source}-${item.revision}-${item.at}`}>
                <TableCell style={{ whiteSpace: 'nowrap' }}>
                  <RelativeTime iso={item.at} now={now} />
                </TableCell>
                <TableCell
                  title={item.image?.digest ?? item.image?.tag}
                  style={{ whiteSpace: 'nowrap' }}
                >
                  <code>
                    {shortTag(item.image?.tag) ??
                      shortDigest(item.image?.digest) ??
                      '—'}
                  </code>
                </TableCell>
                <TableCell>
                  {item.message ??
                    (item.source === 'argocd' ? 'Argo CD sync' : 'no message')}
                  <Typography
                    variant="caption"
                    color="textSecondary"
                    component="div"
                  >
                    <code title={item.revision}>{shortSha(item.revision)}</code>
                    {item.source === 'argocd' ? ' (Argo CD)' : ' (Git)'}
                    {item.author ? ` by ${item.author}` : ''}
                  </Typography>
                  {item.promotionId && (
                    <PromotionOrigin
                      id={item.promotionId}
                      promotion={promotions[item.promotionId]}
                      href={promotionLink(item.promotionId)}
                    />
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
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
