import { parseEntityRef } from '@backstage/catalog-model';
import { Link, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import FormControl from '@material-ui/core/FormControl';
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
import {
  FLEET_SIGNAL_CHANNEL,
  FleetCell,
  FleetPage,
  FleetRow,
} from '@slipway/plugin-slipway-common';
import { useCallback, useMemo, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { useLiveQuery } from '../../hooks/useLiveQuery';
import { useSignalRefresh } from '../../hooks/useSignalRefresh';
import { shortDigest, shortTag } from '../common/format';
import { LoadingSkeleton } from '../common/LoadingSkeleton';
import { RelativeTime } from '../common/RelativeTime';
import { SourceNotice } from '../common/SourceNotice';
import { StatusChip } from '../common/StatusChip';
import {
  findSource,
  healthTone,
  isSourceHealthy,
  syncTone,
} from '../common/status';
import { useNow } from '../common/useNow';
import { useDeployTabLink } from './useDeployTabLink';

const PAGE_SIZE = 200;

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
}) {
  const classes = useStyles();
  const { id, label, value, options, onChange } = props;
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

function CellView(props: {
  row: FleetRow;
  environment: string;
  firstEnvironment: string;
  cell?: FleetCell;
  deliveryOk: boolean;
  href: string;
}) {
  const classes = useStyles();
  const { row, environment, firstEnvironment, cell, deliveryOk, href } = props;
  const name = row.title ?? displayRef(row.entityRef);
  if (!cell || (!cell.tag && !cell.digest && !cell.syncStatus)) {
    return (
      <Typography variant="body2" color="textSecondary">
        not deployed
      </Typography>
    );
  }
  const version = shortTag(cell.tag) ?? shortDigest(cell.digest) ?? 'unknown';
  const summary = [
    `${name} in ${environment}: ${version}`,
    cell.syncStatus && `sync ${cell.syncStatus}`,
    cell.healthStatus && `health ${cell.healthStatus}`,
    cell.behind && `behind ${firstEnvironment}`,
    cell.lastKnown && 'last known data',
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <div className={classes.cell}>
      <Link to={href} aria-label={summary} onClick={e => e.stopPropagation()}>
        <code title={cell.tag ?? cell.digest}>{version}</code>
      </Link>
      <div className={classes.chips}>
        {cell.syncStatus && (
          <StatusChip
            tone={syncTone(cell.syncStatus, deliveryOk)}
            label={
              cell.syncStatus === 'Unknown' ? 'Sync unknown' : cell.syncStatus
            }
            title={`Sync: ${cell.syncStatus}`}
          />
        )}
        {cell.healthStatus && (
          <StatusChip
            tone={healthTone(cell.healthStatus, deliveryOk)}
            label={
              cell.healthStatus === 'Unknown'
                ? 'Health unknown'
                : cell.healthStatus
            }
            title={`Health: ${cell.healthStatus}`}
          />
        )}
        {cell.lastKnown && (
          <StatusChip
            tone="unknown"
            label="Last known"
            title={`${cell.lastKnown.sources.join(
              ' and ',
            )} not answering; last known: ${
              cell.lastKnown.deployed ? 'deployed' : 'not deployed'
            }`}
          />
        )}
        {cell.behind && (
          <StatusChip
            tone="warning"
            label={`Behind ${firstEnvironment}`}
            title={`Runs something other than ${firstEnvironment}`}
          />
        )}
      </div>
    </div>
  );
}

/**
 * Services × environments: version, sync and health per cell, filters in
 * the URL query, "behind" markers, and links to each Deploy tab.
 */
export function FleetContent() {
  const classes = useStyles();
  const api = useApi(slipwayApiRef);
  const now = useNow(5_000);
  const navigate = useNavigate();
  const deployTab = useDeployTabLink();
  const [searchParams, setSearchParams] = useSearchParams();
  const owner = searchParams.get('owner') ?? '';
  const system = searchParams.get('system') ?? '';
  const environment = searchParams.get('environment') ?? '';
  const [more, setMore] = useState<FleetPage[]>([]);
  const [loadingMore, setLoadingMore] = useState(false);

  const fetchFleet = useCallback(() => {
    setMore([]);
    return api.getFleet({ limit: PAGE_SIZE });
  }, [api]);
  const query = useLiveQuery('fleet', fetchFleet);
  useSignalRefresh(FLEET_SIGNAL_CHANNEL, query.refresh);

  const pages = useMemo(
    () => (query.value ? [query.value, ...more] : []),
    [query.value, more],
  );
  const rows = useMemo(() => pages.flatMap(p => p.items), [pages]);
  const nextCursor = pages[pages.length - 1]?.nextCursor;

  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(searchParams);
    if (value) next.set(key, value);
    else next.delete(key);
    setSearchParams(next, { replace: true });
  };

  if (query.loading && !query.value) {
    return <LoadingSkeleton label="Loading fleet" rows={4} />;
  }
  if (!query.value) {
    return query.error ? <ResponseErrorPanel error={query.error} /> : null;
  }

  const page = query.value;
  const deliveryReport = findSource(page.sources, 'delivery');
  const deliveryOk = isSourceHealthy(deliveryReport);
  const firstEnvironment =
    page.environments[0]?.name ?? 'the first environment';
  const environments = page.environments.filter(
    env => !environment || env.name === environment,
  );
  const owners = [
    ...new Set(rows.map(r => r.owner).filter(Boolean)),
  ] as string[];
  const systems = [
    ...new Set(rows.map(r => r.system).filter(Boolean)),
  ] as string[];
  const visible = rows.filter(
    row =>
      (!owner || row.owner === owner) &&
      (!system || row.system === system) &&
      (!environment || row.cells[environment]),
  );
  const fetchedAt = page.sources
    .map(s => s.fetchedAt)
    .filter(Boolean)
    .sort()[0];

  const loadMore = async () => {
    if (!nextCursor) return;
    setLoadingMore(true);
    try {
      const next = await api.getFleet({ limit: PAGE_SIZE, cursor: nextCursor });
      setMore(previous => [...previous, next]);
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
      <div className={classes.filters} role="search" aria-label="Fleet filters">
        <FilterSelect
          id="slipway-fleet-owner"
          label="Owner"
          value={owner}
          options={owners.sort().map(o => ({ value: o, label: displayRef(o) }))}
          onChange={value => setFilter('owner', value)}
        />
        <FilterSelect
          id="slipway-fleet-system"
          label="System"
          value={system}
          options={systems
            .sort()
            .map(s => ({ value: s, label: displayRef(s) }))}
          onChange={value => setFilter('system', value)}
        />
        <FilterSelect
          id="slipway-fleet-environment"
          label="Environment"
          value={environment}
          options={page.environments.map(e => ({
            value: e.name,
            label: e.name,
          }))}
          onChange={value => setFilter('environment', value)}
        />
      </div>
      <Typography variant="body2">
        {visible.length} of {page.totalItems} services
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
              <TableCell>Service</TableCell>
              {environments.map(env => (
                <TableCell key={env.name}>{env.name}</TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {visible.length === 0 && (
              <TableRow>
                <TableCell colSpan={environments.length + 1}>
                  No service matches these filters.
                </TableCell>
              </TableRow>
            )}
            {visible.map(row => {
              const href = deployTab(row.entityRef);
              const name = row.title ?? displayRef(row.entityRef);
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
                    <Typography
                      variant="caption"
                      color="textSecondary"
                      component="div"
                    >
                      {displayRef(row.owner)} · {displayRef(row.system)}
                    </Typography>
                  </TableCell>
                  {environments.map(env => (
                    <TableCell key={env.name}>
                      <CellView
                        row={row}
                        environment={env.name}
                        firstEnvironment={firstEnvironment}
                        cell={row.cells[env.name]}
                        deliveryOk={deliveryOk}
                        href={href}
                      />
                    </TableCell>
                  ))}
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
