import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
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
import { PromotionPolicyVersion } from '@slipway/plugin-slipway-common';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { useLiveQuery } from '../../hooks/useLiveQuery';
import { absoluteTime, displayActor } from '../common/format';
import { LoadingSkeleton } from '../common/LoadingSkeleton';
import { RelativeTime } from '../common/RelativeTime';
import { useNow } from '../common/useNow';
import { describeGate, isRetired } from './policyForm';
import { PolicyEditor } from './PolicyEditor';
import {
  matchingEntities,
  useCanEditPolicies,
  useSelectableEntities,
} from './usePolicyData';
import { VersionDiff } from './VersionDiff';

const MATCH_LIST = 25;

function useEnvironmentNames(): string[] {
  const api = useApi(slipwayApiRef);
  const fetcher = useCallback(
    async () => (await api.getEnvironments()).map(e => e.name),
    [api],
  );
  return useLiveQuery<string[]>('environments', fetcher).value ?? [];
}

function usePolicy(name: string) {
  const api = useApi(slipwayApiRef);
  const fetcher = useCallback(async () => {
    const [latest, versions] = await Promise.all([
      api.getPolicy(name),
      api.getPolicyHistory(name),
    ]);
    return {
      latest,
      versions: [...versions].sort((a, b) => b.version - a.version),
    };
  }, [api, name]);
  return useLiveQuery(`policy:${name}`, fetcher);
}

/** Retire = save a version with no environments, with a note. */
function RetireDialog(props: {
  version: PromotionPolicyVersion;
  open: boolean;
  onClose(): void;
  onRetired(): void;
}) {
  const { version, open, onClose, onRetired } = props;
  const api = useApi(slipwayApiRef);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);
  const retire = async () => {
    setSaving(true);
    setError(undefined);
    try {
      await api.savePolicy(version.name, {
        policy: { ...version.policy, environments: {} },
        expectedVersion: version.version,
        comment: note.trim(),
      });
      onRetired();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby="retire-title">
      <DialogTitle id="retire-title">Retire {version.name}</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Retiring saves version {version.version + 1} with no environments: the
          policy stops applying to every promotion. Its history stays, and
          editing it again brings it back.
        </DialogContentText>
        <TextField
          id="retire-note"
          label="Change note (required)"
          value={note}
          onChange={event => setNote(event.target.value)}
          required
          fullWidth
          variant="outlined"
        />
        {error && (
          <Alert severity="error" role="alert" style={{ marginTop: 16 }}>
            Could not retire: {error}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="secondary"
          variant="contained"
          disabled={saving || note.trim() === ''}
          onClick={retire}
        >
          Retire policy
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function History(props: { versions: PromotionPolicyVersion[] }) {
  const { versions } = props;
  const now = useNow(60_000);
  const [to, setTo] = useState(versions[0]?.version);
  const [from, setFrom] = useState(versions[1]?.version);
  useEffect(() => {
    setTo(versions[0]?.version);
    setFrom(versions[1]?.version);
  }, [versions]);
  const before = versions.find(v => v.version === from);
  const after = versions.find(v => v.version === to);
  const options = versions.map(v => (
    <option key={v.version} value={v.version}>
      Version {v.version}
    </option>
  ));
  return (
    <>
      <Table size="small" aria-label="Version history">
        <TableHead>
          <TableRow>
            <TableCell>Version</TableCell>
            <TableCell>Changed by</TableCell>
            <TableCell>When</TableCell>
            <TableCell>Note</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {versions.map(v => (
            <TableRow key={v.version}>
              <TableCell>
                {v.version}
                {isRetired(v.policy) && (
                  <Chip
                    size="small"
                    label="Retired"
                    style={{ marginLeft: 8 }}
                  />
                )}
              </TableCell>
              <TableCell>{displayActor(v.createdBy)}</TableCell>
              <TableCell>
                <RelativeTime iso={v.createdAt} now={now} /> (
                {absoluteTime(v.createdAt)})
              </TableCell>
              <TableCell>{v.comment ?? '—'}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {versions.length > 1 ? (
        <Box mt={3}>
          <Typography variant="h6" component="h3" gutterBottom>
            Compare versions
          </Typography>
          <Box display="flex" style={{ gap: 16 }} mb={2}>
            <TextField
              select
              id="compare-from"
              label="Older"
              value={from ?? ''}
              onChange={event => setFrom(Number(event.target.value))}
              SelectProps={{ native: true }}
              variant="outlined"
              size="small"
            >
              {options}
            </TextField>
            <TextField
              select
              id="compare-to"
              label="Newer"
              value={to ?? ''}
              onChange={event => setTo(Number(event.target.value))}
              SelectProps={{ native: true }}
              variant="outlined"
              size="small"
            >
              {options}
            </TextField>
          </Box>
          {before && after && <VersionDiff before={before} after={after} />}
        </Box>
      ) : (
        <Typography
          variant="body2"
          color="textSecondary"
          style={{ marginTop: 16 }}
        >
          Only one version so far: nothing to compare.
        </Typography>
      )}
    </>
  );
}

function NotFoundOrError(props: { error?: Error; onRetry(): void }) {
  const { error, onRetry } = props;
  const notFound =
    error?.name === 'NotFoundError' ||
    (error as { statusCode?: number } | undefined)?.statusCode === 404;
  return (
    <Alert severity={notFound ? 'info' : 'error'} role="alert">
      {notFound
        ? 'No such policy. '
        : `Could not load the policy: ${error?.message ?? 'unknown error'}. `}
      <Link to="..">Back to all policies</Link>
      {!notFound && (
        <Button size="small" onClick={onRetry} style={{ marginLeft: 8 }}>
          Retry
        </Button>
      )}
    </Alert>
  );
}

/** One policy: what it matches, its environments and gates, its history. */
export function PolicyDetails() {
  const { name = '' } = useParams();
  const navigate = useNavigate();
  const canEdit = useCanEditPolicies();
  const query = usePolicy(name);
  const [retiring, setRetiring] = useState(false);
  const latest = query.value?.latest;
  const kinds = useMemo(() => latest?.policy.selector.kinds ?? [], [latest]);
  const entities = useSelectableEntities(kinds);
  const now = useNow(60_000);

  if (query.loading) return <LoadingSkeleton label="Loading policy" rows={4} />;
  if (!query.value || !latest) {
    return <NotFoundOrError error={query.error} onRetry={query.refresh} />;
  }
  const retired = isRetired(latest.policy);
  const matches =
    entities.value && matchingEntities(latest.policy, entities.value);
  const selector = latest.policy.selector;
  const selectorParts = (
    [
      ['kinds', selector.kinds],
      ['owners', selector.owners],
      ['systems', selector.systems],
      ['entities', selector.entities],
    ] as const
  ).filter(([, value]) => value !== undefined);

  return (
    <Box display="flex" flexDirection="column" style={{ gap: 24 }}>
      <Box display="flex" alignItems="center" style={{ gap: 16 }}>
        <Box flex={1}>
          <Typography variant="h5" component="h2">
            Policy {latest.name}
            {retired && (
              <Chip size="small" label="Retired" style={{ marginLeft: 8 }} />
            )}
          </Typography>
          <Typography variant="body2">
            Version {latest.version}, by {displayActor(latest.createdBy)}{' '}
            <RelativeTime iso={latest.createdAt} now={now} />
            {latest.comment && `: “${latest.comment}”`}
          </Typography>
          {latest.policy.description && (
            <Typography variant="body1">{latest.policy.description}</Typography>
          )}
        </Box>
        <Link to="..">All policies</Link>
        {canEdit.allowed && (
          <>
            <Button
              variant="contained"
              color="primary"
              onClick={() => navigate('edit')}
            >
              Edit
            </Button>
            {!retired && (
              <Button variant="outlined" onClick={() => setRetiring(true)}>
                Retire
              </Button>
            )}
          </>
        )}
      </Box>
      {retired && (
        <Alert severity="info">
          Retired: the latest version names no environment, so this policy
          applies to no promotion. Edit it to bring it back.
        </Alert>
      )}

      <Paper style={{ padding: 16 }} component="section" aria-label="Matches">
        <Typography variant="h6" component="h3">
          Matches
        </Typography>
        <Typography variant="body2" color="textSecondary" paragraph>
          Selector:{' '}
          {selectorParts.length
            ? selectorParts
                .map(([key, value]) => `${key} ∈ {${(value ?? []).join(', ')}}`)
                .join(' and ')
            : 'every entity'}
        </Typography>
        {entities.loading && !matches && (
          <LoadingSkeleton label="Loading matching entities" />
        )}
        {!matches && !entities.loading && (
          <Alert severity="warning">
            Could not read the catalog ({entities.error?.message}): matches are
            unknown.
          </Alert>
        )}
        {matches && (
          <>
            <Typography variant="body1">
              {matches.length === 0
                ? 'No entity in the catalog matches now.'
                : `${matches.length} ${
                    matches.length === 1 ? 'entity matches' : 'entities match'
                  } now${
                    retired ? ' the selector (the policy is retired)' : ''
                  }:`}
            </Typography>
            <ul aria-label="Matching entities">
              {matches.slice(0, MATCH_LIST).map(entity => (
                <li key={`${entity.kind}:${entity.metadata.name}`}>
                  <Link
                    to={`/catalog/${
                      entity.metadata.namespace ?? 'default'
                    }/${entity.kind.toLocaleLowerCase('en-US')}/${
                      entity.metadata.name
                    }`}
                  >
                    {entity.metadata.title ?? entity.metadata.name}
                  </Link>
                </li>
              ))}
            </ul>
            {matches.length > MATCH_LIST && (
              <Typography variant="body2">
                and {matches.length - MATCH_LIST} more
              </Typography>
            )}
          </>
        )}
      </Paper>

      <Paper
        style={{ padding: 16 }}
        component="section"
        aria-label="Environments and gates"
      >
        <Typography variant="h6" component="h3">
          Environments and gates
        </Typography>
        {Object.keys(latest.policy.environments).length === 0 ? (
          <Typography variant="body2">No environments.</Typography>
        ) : (
          <Table size="small" aria-label="Environments and gates">
            <TableHead>
              <TableRow>
                <TableCell>Environment</TableCell>
                <TableCell>Mode</TableCell>
                <TableCell>Gates</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {Object.entries(latest.policy.environments).map(
                ([environment, rule]) => (
                  <TableRow key={environment}>
                    <TableCell>{environment}</TableCell>
                    <TableCell>
                      {rule.mode === 'pull-request'
                        ? 'Pull request'
                        : 'Direct commit'}
                      {rule.autoPromote && ', auto-promote'}
                      {rule.sync && ', sync after commit'}
                    </TableCell>
                    <TableCell>
                      {rule.gates.length === 0 ? (
                        'No gates'
                      ) : (
                        <ul style={{ margin: 0, paddingLeft: 16 }}>
                          {rule.gates.map((gate, index) => (
                            <li key={index}>{describeGate(gate)}</li>
                          ))}
                        </ul>
                      )}
                    </TableCell>
                  </TableRow>
                ),
              )}
            </TableBody>
          </Table>
        )}
      </Paper>

      <Paper style={{ padding: 16 }} component="section" aria-label="History">
        <Typography variant="h6" component="h3">
          History
        </Typography>
        <History versions={query.value.versions} />
      </Paper>

      {canEdit.allowed && (
        <RetireDialog
          version={latest}
          open={retiring}
          onClose={() => setRetiring(false)}
          onRetired={() => {
            setRetiring(false);
            query.refresh();
          }}
        />
      )}
    </Box>
  );
}

/** The editor for an existing policy (`/:name/edit`), for admins. */
export function EditPolicy() {
  const { name = '' } = useParams();
  const navigate = useNavigate();
  const canEdit = useCanEditPolicies();
  const query = usePolicy(name);
  const environmentNames = useEnvironmentNames();
  if (query.loading || canEdit.loading) {
    return <LoadingSkeleton label="Loading policy" rows={4} />;
  }
  if (!canEdit.allowed) {
    return (
      <Alert severity="info" role="alert">
        Only platform admins change policies.{' '}
        <Link to={`../${name}`}>Back to the policy</Link>
      </Alert>
    );
  }
  if (!query.value) {
    return <NotFoundOrError error={query.error} onRetry={query.refresh} />;
  }
  const current = query.value.latest;
  return (
    <PolicyEditor
      key={current.version}
      current={current}
      environmentNames={environmentNames}
      onSaved={() => navigate('..', { relative: 'path' })}
      onCancel={() => navigate('..', { relative: 'path' })}
      onReload={query.refresh}
    />
  );
}

/** The editor for a new policy, for admins. */
export function CreatePolicy(props: { onDone(name?: string): void }) {
  const { onDone } = props;
  const canEdit = useCanEditPolicies();
  const environmentNames = useEnvironmentNames();
  if (canEdit.loading) return <LoadingSkeleton label="Loading" />;
  if (!canEdit.allowed) {
    return (
      <Alert severity="info" role="alert">
        Only platform admins create policies.
      </Alert>
    );
  }
  return (
    <PolicyEditor
      environmentNames={environmentNames}
      onSaved={saved => onDone(saved.name)}
      onCancel={() => onDone()}
    />
  );
}
