import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import Paper from '@material-ui/core/Paper';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import Autocomplete from '@material-ui/lab/Autocomplete';
import {
  Freeze,
  slipwayFreezeManagePermission,
} from '@slipway/plugin-slipway-common';
import { FormEvent, useCallback, useMemo, useState } from 'react';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { useLiveQuery } from '../../hooks/useLiveQuery';
import { useSignalRefresh } from '../../hooks/useSignalRefresh';
import { FREEZES_SIGNAL_CHANNEL } from '../common/channels';
import { absoluteTime, displayActor } from '../common/format';
import { activeFreezes, freezeScopeLabel } from '../common/freezes';
import { LoadingSkeleton } from '../common/LoadingSkeleton';
import { RelativeTime } from '../common/RelativeTime';
import { useNow } from '../common/useNow';

type Scope = Freeze['scope'];

const SCOPES: { scope: Scope; label: string }[] = [
  { scope: 'global', label: 'Stop the line (everything)' },
  { scope: 'environment', label: 'An environment' },
  { scope: 'system', label: 'A system' },
  { scope: 'owner', label: 'An owner (team)' },
  { scope: 'entity', label: 'One service' },
];

/** The catalog kinds a target of each scope is picked from. */
const TARGET_KINDS: Partial<Record<Scope, string[]>> = {
  system: ['system'],
  owner: ['group', 'user'],
  entity: ['component'],
};

interface TargetOption {
  ref: string;
  label: string;
}

function useTargetOptions(scope: Scope) {
  const catalogApi = useApi(catalogApiRef);
  const api = useApi(slipwayApiRef);
  const fetcher = useCallback(async (): Promise<TargetOption[]> => {
    if (scope === 'global') return [];
    if (scope === 'environment') {
      return (await api.getEnvironments()).map(e => ({
        ref: e.name,
        label: e.name,
      }));
    }
    const { items } = await catalogApi.getEntities({
      filter: { kind: TARGET_KINDS[scope] ?? [] },
      fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title'],
    });
    return items
      .map((entity: Entity) => ({
        ref: stringifyEntityRef(entity),
        label: `${
          entity.metadata.title ?? entity.metadata.name
        } (${stringifyEntityRef(entity)})`,
      }))
      .sort((a, b) => a.label.localeCompare(b.label));
  }, [api, catalogApi, scope]);
  return useLiveQuery<TargetOption[]>(`freeze-targets:${scope}`, fetcher);
}

/** Local `datetime-local` value → ISO 8601; undefined when empty or invalid. */
function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const time = new Date(local);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

function SetFreezeForm(props: { onCreated(): void }) {
  const { onCreated } = props;
  const api = useApi(slipwayApiRef);
  const [scope, setScope] = useState<Scope>('environment');
  const [target, setTarget] = useState<TargetOption | null>(null);
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const options = useTargetOptions(scope);
  const untilIso = isoOf(until);
  const untilError =
    until && (!untilIso || Date.parse(untilIso) <= Date.now())
      ? 'Must be a time in the future'
      : undefined;
  const canSubmit =
    !saving &&
    reason.trim() !== '' &&
    (scope === 'global' || target !== null) &&
    !untilError;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canSubmit) return;
    setSaving(true);
    setError(undefined);
    try {
      await api.createFreeze({
        scope,
        target: scope === 'global' ? undefined : target?.ref,
        reason: reason.trim(),
        until: untilIso,
      });
      setReason('');
      setUntil('');
      setTarget(null);
      onCreated();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Paper style={{ padding: 16 }}>
      <form aria-label="Set a freeze" onSubmit={submit}>
        <Typography variant="h6" component="h2" gutterBottom>
          Set a freeze
        </Typography>
        <Typography variant="body2" color="textSecondary" paragraph>
          Frozen targets still accept promotion requests, but nothing is
          deployed to them until the freeze is lifted or ends.
        </Typography>
        <Box
          display="flex"
          flexWrap="wrap"
          style={{ gap: 16 }}
          alignItems="flex-start"
        >
          <TextField
            select
            id="freeze-scope"
            label="Scope"
            value={scope}
            onChange={event => {
              setScope(event.target.value as Scope);
              setTarget(null);
            }}
            SelectProps={{ native: true }}
            variant="outlined"
            size="small"
            style={{ width: 240 }}
          >
            {SCOPES.map(option => (
              <option key={option.scope} value={option.scope}>
                {option.label}
              </option>
            ))}
          </TextField>
          {scope !== 'global' && (
            <Autocomplete
              id="freeze-target"
              options={options.value ?? []}
              loading={options.loading}
              value={target}
              onChange={(_, value) => setTarget(value)}
              getOptionLabel={option => option.label}
              getOptionSelected={(option, value) => option.ref === value.ref}
              style={{ width: 360 }}
              renderInput={params => (
                <TextField
                  {...params}
                  label="Target"
                  variant="outlined"
                  size="small"
                  required
                  error={!!options.error}
                  helperText={
                    options.error
                      ? `Could not load targets: ${options.error.message}`
                      : undefined
                  }
                />
              )}
            />
          )}
          <TextField
            id="freeze-until"
            label="Until (optional)"
            type="datetime-local"
            value={until}
            onChange={event => setUntil(event.target.value)}
            InputLabelProps={{ shrink: true }}
            variant="outlined"
            size="small"
            error={!!untilError}
            helperText={untilError ?? 'Empty: until lifted'}
          />
        </Box>
        <TextField
          id="freeze-reason"
          label="Reason (required)"
          value={reason}
          onChange={event => setReason(event.target.value)}
          required
          fullWidth
          variant="outlined"
          size="small"
          style={{ marginTop: 16 }}
          inputProps={{ maxLength: 2000 }}
        />
        {scope === 'global' && (
          <Alert severity="warning" style={{ marginTop: 16 }}>
            Stop the line holds every promotion of every service in every
            environment.
          </Alert>
        )}
        {error && (
          <Alert severity="error" role="alert" style={{ marginTop: 16 }}>
            Could not set the freeze: {error}
          </Alert>
        )}
        <Button
          type="submit"
          variant="contained"
          color="primary"
          disabled={!canSubmit}
          style={{ marginTop: 16 }}
        >
          {scope === 'global' ? 'Stop the line' : 'Set freeze'}
        </Button>
      </form>
    </Paper>
  );
}

function LiftDialog(props: {
  freeze?: Freeze;
  onClose(): void;
  onLifted(): void;
}) {
  const { freeze, onClose, onLifted } = props;
  const api = useApi(slipwayApiRef);
  const [error, setError] = useState<string | undefined>();
  const [lifting, setLifting] = useState(false);
  const lift = async () => {
    if (!freeze) return;
    setLifting(true);
    setError(undefined);
    try {
      await api.liftFreeze(freeze.id);
      onLifted();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLifting(false);
    }
  };
  return (
    <Dialog open={!!freeze} onClose={onClose} aria-labelledby="lift-title">
      <DialogTitle id="lift-title">Lift this freeze?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          {freeze && `${freezeScopeLabel(freeze)}: ${freeze.reason}. `}
          Held promotions may continue as soon as it is lifted.
        </DialogContentText>
        {error && (
          <Alert severity="error" role="alert">
            Could not lift the freeze: {error}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={lift}
          disabled={lifting}
        >
          Lift freeze
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * Freezes and "stop the line": the list for everyone; setting and lifting
 * for holders of `slipway.freeze.manage` (the server refuses the others).
 */
export function FreezesContent() {
  const api = useApi(slipwayApiRef);
  const now = useNow(30_000);
  const manage = usePermission({ permission: slipwayFreezeManagePermission });
  const fetchFreezes = useCallback(() => api.listFreezes(), [api]);
  const query = useLiveQuery<Freeze[]>('freezes', fetchFreezes);
  useSignalRefresh(FREEZES_SIGNAL_CHANNEL, query.refresh, 250);
  const [lifting, setLifting] = useState<Freeze | undefined>();
  const active = useMemo(
    () => (query.value ? activeFreezes(query.value, now) : undefined),
    [query.value, now],
  );

  let list;
  if (query.loading) {
    list = <LoadingSkeleton label="Loading freezes" rows={2} />;
  } else if (!active) {
    list = (
      <Alert severity="error" role="alert">
        Could not load the freezes: {query.error?.message ?? 'unknown error'}. A
        freeze may be holding promotions.{' '}
        <Button size="small" onClick={query.refresh}>
          Retry
        </Button>
      </Alert>
    );
  } else if (active.length === 0) {
    list = (
      <Alert severity="success">
        Nothing is frozen: promotions follow their policies.
      </Alert>
    );
  } else {
    list = (
      <Paper>
        <Table aria-label="Freezes in force" size="small">
          <TableHead>
            <TableRow>
              <TableCell>Frozen</TableCell>
              <TableCell>Reason</TableCell>
              <TableCell>By</TableCell>
              <TableCell>Until</TableCell>
              {manage.allowed && (
                <TableCell>
                  <span style={{ position: 'absolute', left: -10000 }}>
                    Actions
                  </span>
                </TableCell>
              )}
            </TableRow>
          </TableHead>
          <TableBody>
            {active.map(freeze => (
              <TableRow key={freeze.id}>
                <TableCell>{freezeScopeLabel(freeze)}</TableCell>
                <TableCell>{freeze.reason}</TableCell>
                <TableCell>
                  {displayActor(freeze.createdBy)},{' '}
                  <RelativeTime iso={freeze.createdAt} now={now} />
                </TableCell>
                <TableCell>
                  {freeze.until ? (
                    <time dateTime={freeze.until}>
                      {absoluteTime(freeze.until)}
                    </time>
                  ) : (
                    'Until lifted'
                  )}
                </TableCell>
                {manage.allowed && (
                  <TableCell>
                    <Button
                      size="small"
                      variant="outlined"
                      onClick={() => setLifting(freeze)}
                      aria-label={`Lift freeze: ${freezeScopeLabel(freeze)}`}
                    >
                      Lift
                    </Button>
                  </TableCell>
                )}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Paper>
    );
  }

  return (
    <Box display="flex" flexDirection="column" style={{ gap: 24 }}>
      <Box>
        <Typography variant="h6" component="h2" gutterBottom>
          Freezes in force
        </Typography>
        {!manage.loading && !manage.allowed && (
          <Typography variant="body2" paragraph>
            Platform admins set and lift freezes; you can see them here.
          </Typography>
        )}
        {list}
      </Box>
      {manage.allowed && <SetFreezeForm onCreated={query.refresh} />}
      {manage.allowed && (
        <LiftDialog
          freeze={lifting}
          onClose={() => setLifting(undefined)}
          onLifted={() => {
            setLifting(undefined);
            query.refresh();
          }}
        />
      )}
    </Box>
  );
}
