import { parseEntityRef } from '@backstage/catalog-model';
import { Link, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
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
import TableSortLabel from '@material-ui/core/TableSortLabel';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  FLEET_SIGNAL_CHANNEL,
  FleetCell,
  FleetPage,
  FleetQuery,
  FleetRow,
  needsAttention,
  scanFailing,
} from '@slipway/plugin-slipway-common';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { useLiveQuery } from '../../hooks/useLiveQuery';
import { useSignalRefresh } from '../../hooks/useSignalRefresh';
import { ControllerBadge } from '../common/ControllerBadge';
import { shortDigest, shortTag } from '../common/format';
import { LoadingSkeleton } from '../common/LoadingSkeleton';
import { RelativeTime } from '../common/RelativeTime';
import { SourceNotice } from '../common/SourceNotice';
import { StatusChip } from '../common/StatusChip';
import { VerdictChip } from '../common/VerdictChip';
import { useNow } from '../common/useNow';
import { useDeployTabLink } from './useDeployTabLink';

const PAGE_SIZE = 200;
const SEARCH_DELAY_MS = 300;
/** URL query keys the fleet reads; "Reset filters" clears them all. */
const FILTER_KEYS = [
  'q',
  'owner',
  'system',
  'environment',
  'attention',
  'sort',
  'order',
];

const useStyles = makeStyles(theme => ({
  filters: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(2) },
  select: { minWidth: 200 },
  // The default grey label fails contrast on the page background.
  label: { color: theme.palette.text.primary },
  row: {
    cursor: 'pointer',
    '&:hover': { backgroundColor: theme.palette.action.hover },
  },
  cell: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    gap: theme.spacing(0.5),
  },
  chips: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5) },
  reasons: { margin: 0, paddingLeft: theme.spacing(2) },
}));

function displayRef(ref: string | undefined): string {
  if (!ref) return '—';
  try {
    return parseEntityRef(ref).name;
  } catch {
    return ref;
  }
}

function FilterSelect(props: {
  id: string;
  label: string;
  value: string;
  options: { value: string; label: string }[];
  onChange: (value: string) => void;
  allLabel?: string;
}) {
  const classes = useStyles();
  const { id, label, value, options, onChange, allLabel = 'All' } = props;
  return (
    <FormControl variant="outlined" size="small" className={classes.select}>
      <InputLabel id={`${id}-label`} shrink className={classes.label}>
        {label}
      </InputLabel>
      <Select
        labelId={`${id}-label`}
        id={id}
        value={value}
        displayEmpty
        input={<OutlinedInput notched label={label} />}
        onChange={event => onChange(String(event.target.value))}
      >
        <MenuItem value="">{allLabel}</MenuItem>
        {options.map(option => (
          <MenuItem key={option.value} value={option.value}>
            {option.label}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

const ROLLOUT_MARKERS = {
  progressing: { label: 'Rolling out', tone: 'progress' as const },
  paused: { label: 'Rollout paused', tone: 'warning' as const },
  failed: { label: 'Rollout failed', tone: 'error' as const },
};

/** Service-wide markers: the newest CI run and the newest scan. */
function ServiceMarkers(props: { row: FleetRow }) {
  const classes = useStyles();
  const { build, scan } = props.row;
  const failedScan = scanFailing(scan);
  if (build?.status !== 'failed' && !failedScan) return null;
  return (
    <div className={classes.chips}>
      {build?.status === 'failed' && (
        <StatusChip
          tone={build.lastKnown ? 'unknown' : 'error'}
          label="CI failed"
          title={`Newest CI run failed${build.name ? `: ${build.name}` : ''}${
            build.lastKnown ? ' (last known)' : ''
          }`}
        />
      )}
      {failedScan && (
        <StatusChip
          tone={scan!.lastKnown ? 'unknown' : 'error'}
          label="Scan failing"
          title={
            scan!.status === 'Error'
              ? 'The scan failed'
              : `${scan!.critical} critical, ${scan!.high} high vulnerabilities`
          }
        />
      )}
    </div>
  );
}

/**
 * One environment of a service: its version and its one verdict, worded and
 * coloured as the Deploy tab's card and pipeline strip show it (the backend
 * computes it with the same common rule), plus the behind and rollout
 * markers the verdict does not already say.
 */
function CellView(props: {
  row: FleetRow;
  environment: string;
  firstEnvironment: string;
  cell?: FleetCell;
  href: string;
  now: number;
}) {
  const classes = useStyles();
  const { row, environment, firstEnvironment, cell, href, now } = props;
  const name = row.title ?? displayRef(row.entityRef);
  if (!cell) {
    return (
      <Typography variant="body2" color="textSecondary">
        not deployed
      </Typography>
    );
  }
  const { verdict } = cell;
  const version = shortTag(cell.tag) ?? shortDigest(cell.digest);
  // The verdict already says a rollout under way or failed.
  const rolloutMarker =
    cell.rollout && !['rolling-out', 'failed'].includes(verdict.kind)
      ? ROLLOUT_MARKERS[cell.rollout]
      : undefined;
  const summary = [
    `${name} in ${environment}: ${version ?? 'no version'}`,
    `${verdict.label.charAt(0).toLocaleLowerCase('en-US')}${verdict.label.slice(
      1,
    )}`,
    cell.syncStatus && `sync ${cell.syncStatus}`,
    cell.healthStatus && `health ${cell.healthStatus}`,
    cell.behind && `behind ${firstEnvironment}`,
    rolloutMarker && rolloutMarker.label.toLocaleLowerCase('en-US'),
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <div className={classes.cell}>
      <Link to={href} aria-label={summary} onClick={e => e.stopPropagation()}>
        {version ? (
          <code title={cell.tag ?? cell.digest}>{version}</code>
        ) : (
          'no version'
        )}
      </Link>
      <div className={classes.chips}>
        <VerdictChip verdict={verdict} now={now} />
        {cell.behind && (
          <StatusChip
            tone="warning"
            label={`Behind ${firstEnvironment}`}
            title={`Runs something other than ${firstEnvironment}`}
          />
        )}
        {rolloutMarker && (
          <StatusChip
            tone={rolloutMarker.tone}
            label={rolloutMarker.label}
            title={rolloutMarker.label}
          />
        )}
      </div>
    </div>
  );
}

/** What the URL asks the fleet for. */
function queryOf(searchParams: URLSearchParams): FleetQuery {
  const value = (key: string) => searchParams.get(key) || undefined;
  const order = value('order');
  return {
    q: value('q'),
    owner: value('owner'),
    system: value('system'),
    environment: value('environment'),
    attention: value('attention') === 'true' ? true : undefined,
    sort: value('sort'),
    order: order === 'desc' || order === 'asc' ? order : undefined,
  };
}

const UNKNOWN_FILTER_TEXT: Record<string, string> = {
  owner: 'No service in the fleet is owned by',
  system: 'No service in the fleet belongs to the system',
  environment: 'There is no environment named',
};

/**
 * Services × environments, searched, filtered and sorted by the backend
 * (filters and sort in the URL query), with markers for drift, rollouts, CI
 * and scans, a "Needs attention" filter decided by the common rule, and the
 * services not yet set up listed last.
 */
export function FleetContent() {
  const classes = useStyles();
  const api = useApi(slipwayApiRef);
  const now = useNow(5_000);
  const navigate = useNavigate();
  const deployTab = useDeployTabLink();
  const [searchParams, setSearchParams] = useSearchParams();
  const fleetQuery = useMemo(() => queryOf(searchParams), [searchParams]);
  const queryKey = JSON.stringify(fleetQuery);
  const [search, setSearch] = useState(fleetQuery.q ?? '');
  const [more, setMore] = useState<FleetPage[]>([]);
  const [loadingMore, setLoadingMore] = useState(false);
  const knownEnvironments = useRef<string[]>([]);

  const fetchFleet = useCallback(() => {
    setMore([]);
    return api.getFleet({ ...JSON.parse(queryKey), limit: PAGE_SIZE });
  }, [api, queryKey]);
  const query = useLiveQuery(`fleet:${queryKey}`, fetchFleet);
  useSignalRefresh(FLEET_SIGNAL_CHANNEL, query.refresh);

  const setFilters = useCallback(
    (changes: Record<string, string | undefined>) => {
      setSearchParams(
        previous => {
          const next = new URLSearchParams(previous);
          for (const [key, value] of Object.entries(changes)) {
            if (value) next.set(key, value);
            else next.delete(key);
          }
          return next;
        },
        { replace: true },
      );
    },
    [setSearchParams],
  );

  // The search box writes the URL once typing pauses.
  useEffect(() => {
    if ((fleetQuery.q ?? '') === search.trim()) return undefined;
    const timer = setTimeout(
      () => setFilters({ q: search.trim() }),
      SEARCH_DELAY_MS,
    );
    return () => clearTimeout(timer);
  }, [search, fleetQuery.q, setFilters]);
  // Reset and back/forward navigation put the URL's search in the box.
  const urlSearch = fleetQuery.q ?? '';
  const previousUrlSearch = useRef(urlSearch);
  useEffect(() => {
    if (previousUrlSearch.current !== urlSearch) setSearch(urlSearch);
    previousUrlSearch.current = urlSearch;
  }, [urlSearch]);

  const pages = useMemo(
    () => (query.value ? [query.value, ...more] : []),
    [query.value, more],
  );
  const rows = useMemo(() => pages.flatMap(p => p.items), [pages]);
  const nextCursor = pages[pages.length - 1]?.nextCursor;

  if (query.loading && !query.value) {
    return <LoadingSkeleton label="Loading fleet" rows={4} />;
  }
  if (!query.value) {
    return query.error ? <ResponseErrorPanel error={query.error} /> : null;
  }

  const page = query.value;
  const environments = page.environments;
  const environmentNames = environments.map(e => e.name);
  knownEnvironments.current = [
    ...new Set([...knownEnvironments.current, ...environmentNames]),
  ];
  const firstEnvironment = environments[0]?.name ?? 'the first environment';
  const owners =
    page.facets?.owners ??
    ([...new Set(rows.map(r => r.owner).filter(Boolean))] as string[]);
  const systems =
    page.facets?.systems ??
    ([...new Set(rows.map(r => r.system).filter(Boolean))] as string[]);
  const fetchedAt = page.sources
    .map(s => s.fetchedAt)
    .filter(Boolean)
    .sort()[0];
  const filtered = FILTER_KEYS.some(key => searchParams.get(key));
  const sort = fleetQuery.sort ?? 'name';
  const order = fleetQuery.order ?? 'asc';
  const columns = 4 + environments.length;

  const sortBy = (column: string) =>
    setFilters({
      sort: column === 'name' ? undefined : column,
      order: sort === column && order === 'asc' ? 'desc' : undefined,
    });
  const sortLabel = (column: string, label: string) => (
    <TableSortLabel
      active={sort === column}
      direction={sort === column ? order : 'asc'}
      onClick={() => sortBy(column)}
    >
      {label}
    </TableSortLabel>
  );
  const sortOptions = [
    { value: 'owner', label: 'Owner' },
    { value: 'system', label: 'System' },
    { value: 'attention', label: 'Needs attention' },
    ...environments.flatMap(env => [
      { value: `${env.name}.state`, label: `${env.name} state` },
      { value: `${env.name}.version`, label: `${env.name} version` },
      { value: `${env.name}.age`, label: `${env.name} age` },
    ]),
  ];

  const loadMore = async () => {
    if (!nextCursor) return;
    setLoadingMore(true);
    try {
      const next = await api.getFleet({
        ...fleetQuery,
        limit: PAGE_SIZE,
        cursor: nextCursor,
      });
      setMore(previous => [...previous, next]);
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
      <div className={classes.filters} role="search" aria-label="Fleet filters">
        <TextField
          id="slipway-fleet-search"
          label="Search services"
          variant="outlined"
          size="small"
          value={search}
          onChange={event => setSearch(event.target.value)}
          InputLabelProps={{ className: classes.label }}
        />
        <FilterSelect
          id="slipway-fleet-owner"
          label="Owner"
          value={fleetQuery.owner ?? ''}
          options={owners.map(o => ({ value: o, label: displayRef(o) }))}
          onChange={value => setFilters({ owner: value })}
        />
        <FilterSelect
          id="slipway-fleet-system"
          label="System"
          value={fleetQuery.system ?? ''}
          options={systems.map(s => ({ value: s, label: displayRef(s) }))}
          onChange={value => setFilters({ system: value })}
        />
        <FilterSelect
          id="slipway-fleet-environment"
          label="Environment"
          value={
            environmentNames.includes(fleetQuery.environment ?? '')
              ? fleetQuery.environment!
              : ''
          }
          options={knownEnvironments.current.map(e => ({
            value: e,
            label: e,
          }))}
          onChange={value => setFilters({ environment: value })}
        />
        <FilterSelect
          id="slipway-fleet-sort"
          label="Sort by"
          value={sort === 'name' ? '' : sort}
          allLabel="Name"
          options={sortOptions}
          onChange={value => setFilters({ sort: value, order: undefined })}
        />
        <FormControlLabel
          control={
            <Checkbox
              checked={Boolean(fleetQuery.attention)}
              onChange={event =>
                setFilters({
                  attention: event.target.checked ? 'true' : undefined,
                })
              }
              color="primary"
            />
          }
          label="Needs attention"
        />
        <Button
          variant="outlined"
          disabled={!filtered}
          onClick={() =>
            setFilters(Object.fromEntries(FILTER_KEYS.map(k => [k, undefined])))
          }
        >
          Reset filters
        </Button>
      </div>
      {(page.unknownFilters ?? []).map(unknown => (
        <Alert severity="info" key={unknown.name}>
          {UNKNOWN_FILTER_TEXT[unknown.name]} “{displayRef(unknown.value)}”
          {unknown.name === 'environment'
            ? '; showing every environment.'
            : '; no service matches this filter.'}{' '}
          Use “Reset filters” to see the whole fleet.
        </Alert>
      ))}
      <Typography variant="body2">
        {page.totalItems} services
        {filtered ? ' match' : ''}
        {rows.length < page.totalItems ? ` (${rows.length} shown)` : ''}
        {fetchedAt && (
          <>
            {' '}
            · updated <RelativeTime iso={fetchedAt} now={now} />
          </>
        )}
        {query.refreshing ? ' (refreshing…)' : ''}
      </Typography>
      {page.sources.map(source => (
        <SourceNotice key={source.source} report={source} now={now} />
      ))}
      {query.error && (
        <Typography variant="body2" color="error" role="status">
          Refreshing failed ({query.error.message}); showing the last fleet
          received.
        </Typography>
      )}
      <TableContainer component={Paper}>
        <Table size="small" aria-label="Fleet: services by environment">
          <TableHead>
            <TableRow>
              <TableCell>{sortLabel('name', 'Service')}</TableCell>
              <TableCell>{sortLabel('owner', 'Owner')}</TableCell>
              <TableCell>{sortLabel('system', 'System')}</TableCell>
              <TableCell>{sortLabel('attention', 'Needs attention')}</TableCell>
              {environments.map(env => (
                <TableCell key={env.name}>
                  {sortLabel(`${env.name}.state`, env.name)}
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.length === 0 && (
              <TableRow>
                <TableCell colSpan={columns}>
                  No service matches these filters.
                </TableCell>
              </TableRow>
            )}
            {rows.map(row => {
              const href = deployTab(row.entityRef);
              const name = row.title ?? displayRef(row.entityRef);
              const reasons = needsAttention(row, environmentNames);
              return (
                <TableRow
                  key={row.entityRef}
                  className={classes.row}
                  onClick={() => navigate(href)}
                  data-testid={`fleet-row-${name}`}
                >
                  <TableCell component="th" scope="row">
                    <Link to={href} onClick={e => e.stopPropagation()}>
                      {name}
                    </Link>
                    {row.controller && (
                      <>
                        {' '}
                        <ControllerBadge controller={row.controller} />
                      </>
                    )}
                  </TableCell>
                  <TableCell>{displayRef(row.owner)}</TableCell>
                  <TableCell>{displayRef(row.system)}</TableCell>
                  {row.notSetUp ? (
                    <TableCell colSpan={1 + environments.length}>
                      <Typography variant="body2" color="textSecondary">
                        Not set up for delivery yet.{' '}
                        <Link
                          to={href}
                          onClick={e => e.stopPropagation()}
                          aria-label={`Set up delivery for ${name}`}
                          underline="always"
                        >
                          Set up delivery
                        </Link>
                      </Typography>
                    </TableCell>
                  ) : (
                    <>
                      <TableCell>
                        <div className={classes.cell}>
                          {reasons.length === 0 ? (
                            <Typography variant="body2" color="textSecondary">
                              —
                            </Typography>
                          ) : (
                            <ul
                              className={classes.reasons}
                              aria-label={`${name} needs attention`}
                            >
                              {reasons.map(reason => (
                                <li
                                  key={`${reason.kind}:${
                                    reason.environment ?? ''
                                  }`}
                                >
                                  {reason.text}
                                </li>
                              ))}
                            </ul>
                          )}
                          <ServiceMarkers row={row} />
                        </div>
                      </TableCell>
                      {environments.map(env => (
                        <TableCell key={env.name}>
                          <CellView
                            row={row}
                            environment={env.name}
                            firstEnvironment={firstEnvironment}
                            cell={row.cells[env.name]}
                            href={href}
                            now={now}
                          />
                        </TableCell>
                      ))}
                    </>
                  )}
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </TableContainer>
      {nextCursor && (
        <Button
          variant="outlined"
          onClick={loadMore}
          disabled={loadingMore}
          style={{ alignSelf: 'flex-start' }}
        >
          {loadingMore ? 'Loading…' : 'Load more services'}
        </Button>
      )}
    </Box>
  );
}
