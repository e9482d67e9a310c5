import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Link, ResponseErrorPanel } from '@backstage/core-components';
import { useApi, useApiHolder } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import OutlinedInput from '@material-ui/core/OutlinedInput';
import Paper from '@material-ui/core/Paper';
import Select from '@material-ui/core/Select';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { Promotion, PromotionState } from '@slipway/plugin-slipway-common';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { useLiveQuery } from '../../hooks/useLiveQuery';
import { promotionSignalChannel } from '../common/channels';
import { displayActor, shortDigest, shortTag } from '../common/format';
import { LoadingSkeleton } from '../common/LoadingSkeleton';
import { RelativeTime } from '../common/RelativeTime';
import { StatusChip } from '../common/StatusChip';
import { useNow } from '../common/useNow';
import {
  approvalNeeds,
  PROMOTION_STATES,
  promotionKindLabel,
  promotionStateLabel,
  promotionStateTone,
  promotionSummary,
} from '../Promotion/promotionStatus';
import { usePromotionLink } from '../Promotion/usePromotionLink';
import { useCurrentUser } from './useCurrentUser';
import { useSignalsRefresh } from './useSignalsRefresh';

const PAGE_SIZE = 50;

const useStyles = makeStyles(theme => ({
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2),
  },
  select: { minWidth: 180 },
  label: { color: theme.palette.text.primary },
  summary: { maxWidth: 420, overflowWrap: 'anywhere' },
}));

function nameOf(ref: string): string {
  try {
    return parseEntityRef(ref).name;
  } catch {
    return ref;
  }
}

function ownerOf(entity: Entity | undefined): string | undefined {
  const owner = (entity?.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    );
  } catch {
    return undefined;
  }
}

/** Awaiting approval, not requested by the user, and the user is in an approver group. */
function isWaitingFor(
  promotion: Promotion,
  user: { userEntityRef?: string; ownershipEntityRefs: string[] },
): boolean {
  if (promotion.state !== 'awaiting-approval') return false;
  if (!user.userEntityRef || promotion.requester === user.userEntityRef) {
    return false;
  }
  if (promotion.approvals.some(a => a.approver === user.userEntityRef)) {
    return false;
  }
  const groups = approvalNeeds(promotion.gates)?.groups ?? [];
  return groups.some(group => user.ownershipEntityRefs.includes(group));
}

function FilterSelect(props: {
  id: string;
  label: string;
  value: string;
  options: { value: string; label: string }[];
  onChange: (value: string) => void;
}) {
  const { id, label, value, options, onChange } = props;
  const classes = useStyles();
  return (
    <FormControl variant="outlined" size="small" className={classes.select}>
      <InputLabel id={`${id}-label`} className={classes.label}>
        {label}
      </InputLabel>
      <Select
        labelId={`${id}-label`}
        id={id}
        value={value}
        onChange={event => onChange(event.target.value as string)}
        input={<OutlinedInput label={label} />}
      >
        <MenuItem value="">All</MenuItem>
        {options.map(option => (
          <MenuItem key={option.value} value={option.value}>
            {option.label}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

/**
 * Every promotion the user can see, newest first, filterable by state,
 * environment, owner and "waiting for me"; each row opens its page. Live:
 * any transition of a listed service's promotion refreshes the list.
 */
export function PromotionsList() {
  const classes = useStyles();
  const api = useApi(slipwayApiRef);
  const catalogApi = useApiHolder().get(catalogApiRef);
  const now = useNow(10_000);
  const link = usePromotionLink();
  const user = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const state = (params.get('state') ?? '') as PromotionState | '';
  const environment = params.get('environment') ?? '';
  const owner = params.get('owner') ?? '';
  const waiting = params.get('waiting') === 'me';

  function setFilter(name: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  }

  const fetchFirst = useCallback(
    () =>
      api.listPromotions({
        state: waiting ? 'awaiting-approval' : state || undefined,
        environment: environment || undefined,
        limit: PAGE_SIZE,
      }),
    [api, state, environment, waiting],
  );
  const query = useLiveQuery(
    `promotions|${state}|${environment}|${waiting}`,
    fetchFirst,
  );
  const [more, setMore] = useState<{ items: Promotion[]; cursor?: string }>();
  const [moreError, setMoreError] = useState<Error | undefined>();
  const [loadingMore, setLoadingMore] = useState(false);
  useEffect(() => {
    setMore(undefined);
    setMoreError(undefined);
  }, [query.value]);
  const items = useMemo(
    () => [...(query.value?.items ?? []), ...(more?.items ?? [])],
    [query.value, more],
  );
  const cursor = more ? more.cursor : query.value?.nextCursor;

  async function loadMore() {
    if (!cursor) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await api.listPromotions({
        state: waiting ? 'awaiting-approval' : state || undefined,
        environment: environment || undefined,
        limit: PAGE_SIZE,
        cursor,
      });
      setMore(previous => ({
        items: [...(previous?.items ?? []), ...page.items],
        cursor: page.nextCursor,
      }));
    } catch (error) {
      setMoreError(error as Error);
    } finally {
      setLoadingMore(false);
    }
  }

  const entityRefs = useMemo(
    () => [...new Set(items.map(p => p.entityRef))].sort(),
    [items],
  );
  useSignalsRefresh(entityRefs.map(promotionSignalChannel), query.refresh);

  const environments = useAsync(() => api.getEnvironments(), [api]);
  const owners = useAsync(async () => {
    if (!catalogApi) throw new Error('the catalog is not available');
    if (entityRefs.length === 0) return new Map<string, string | undefined>();
    const { items: entities } = await catalogApi.getEntitiesByRefs({
      entityRefs,
      fields: ['kind', 'metadata.namespace', 'metadata.name', 'spec.owner'],
    });
    return new Map(
      entityRefs.map((ref, index) => [ref, ownerOf(entities[index])]),
    );
  }, [catalogApi, entityRefs.join(',')]);

  const ownerOptions = useMemo(() => {
    const values = new Set<string>();
    for (const value of owners.value?.values() ?? []) {
      if (value) values.add(value);
    }
    if (owner) values.add(owner);
    return [...values].sort().map(value => ({ value, label: nameOf(value) }));
  }, [owners.value, owner]);

  const environmentOptions = (
    environments.value?.map(e => e.name) ?? [
      ...new Set(items.map(p => p.environment)),
    ]
  ).map(name => ({ value: name, label: name }));

  const shown = items.filter(
    p =>
      (!owner || owners.value?.get(p.entityRef) === owner) &&
      (!waiting || isWaitingFor(p, user)),
  );
  const filtered = Boolean(state || environment || owner || waiting);

  return (
    <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
      <div className={classes.filters} role="group" aria-label="Filters">
        <FilterSelect
          id="slipway-promotions-state"
          label="State"
          value={state}
          options={PROMOTION_STATES.map(s => ({
            value: s,
            label: promotionStateLabel(s),
          }))}
          onChange={value => setFilter('state', value)}
        />
        <FilterSelect
          id="slipway-promotions-environment"
          label="Environment"
          value={environment}
          options={environmentOptions}
          onChange={value => setFilter('environment', value)}
        />
        <FilterSelect
          id="slipway-promotions-owner"
          label="Owner"
          value={owner}
          options={ownerOptions}
          onChange={value => setFilter('owner', value)}
        />
        <FormControlLabel
          control={
            <Checkbox
              checked={waiting}
              onChange={event =>
                setFilter('waiting', event.target.checked ? 'me' : '')
              }
            />
          }
          label="Waiting for me"
        />
        {filtered && (
          <Button size="small" onClick={() => setParams({}, { replace: true })}>
            Clear filters
          </Button>
        )}
      </div>
      {owners.error && items.length > 0 && (
        <Alert severity="warning" role="status">
          Owners could not be read ({owners.error.message}); the owner filter
          shows nothing.
        </Alert>
      )}
      {waiting && user.error && (
        <Alert severity="warning" role="status">
          Who you are could not be read ({user.error.message}); "waiting for me"
          shows nothing.
        </Alert>
      )}
      {query.error && query.value && (
        <Alert severity="warning" role="status">
          Refreshing failed ({query.error.message}); showing the last list
          received.
        </Alert>
      )}
      {query.loading && !query.value && (
        <LoadingSkeleton label="Loading promotions" rows={4} />
      )}
      {!query.value && query.error && (
        <ResponseErrorPanel error={query.error} />
      )}
      {query.value && shown.length === 0 && (
        <Paper variant="outlined">
          <Box p={3}>
            <Typography variant="body1">
              {filtered
                ? 'No promotion matches these filters.'
                : 'No promotions yet. Promote a service from the Deploy tab of its catalog page.'}
            </Typography>
          </Box>
        </Paper>
      )}
      {shown.length > 0 && (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label="Promotions">
            <TableHead>
              <TableRow>
                <TableCell>Promotion</TableCell>
                <TableCell>Kind</TableCell>
                <TableCell>Artifact</TableCell>
                <TableCell>State</TableCell>
                <TableCell>Requested by</TableCell>
                <TableCell>Updated</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {shown.map(promotion => (
                <TableRow key={promotion.id} hover>
                  <TableCell component="th" scope="row">
                    <Link to={link(promotion.id)}>
                      {nameOf(promotion.entityRef)} to {promotion.environment}
                    </Link>
                  </TableCell>
                  <TableCell>{promotionKindLabel(promotion)}</TableCell>
                  <TableCell title={promotion.artifact.digest}>
                    <code>
                      {shortTag(promotion.artifact.tag) ??
                        shortDigest(promotion.artifact.digest)}
                    </code>
                  </TableCell>
                  <TableCell className={classes.summary}>
                    <StatusChip
                      tone={promotionStateTone(promotion.state)}
                      label={promotionStateLabel(promotion.state)}
                    />
                    <Typography
                      variant="caption"
                      color="textSecondary"
                      component="div"
                    >
                      {promotionSummary(promotion)}
                    </Typography>
                  </TableCell>
                  <TableCell>{displayActor(promotion.requester)}</TableCell>
                  <TableCell>
                    <RelativeTime iso={promotion.updatedAt} now={now} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      {moreError && (
        <Alert severity="error">
          More promotions could not be loaded: {moreError.message}
        </Alert>
      )}
      {cursor && (
        <Box>
          <Button variant="outlined" onClick={loadMore} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more promotions'}
          </Button>
        </Box>
      )}
    </Box>
  );
}
