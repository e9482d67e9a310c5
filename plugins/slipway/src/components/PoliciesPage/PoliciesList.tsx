import { Entity } from '@backstage/catalog-model';
import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Paper from '@material-ui/core/Paper';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { PromotionPolicyVersion } from '@slipway/plugin-slipway-common';
import { useCallback, useMemo } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { useLiveQuery } from '../../hooks/useLiveQuery';
import { displayActor } from '../common/format';
import { LoadingSkeleton } from '../common/LoadingSkeleton';
import { RelativeTime } from '../common/RelativeTime';
import { useNow } from '../common/useNow';
import { describeGate, isRetired } from './policyForm';
import {
  matchingEntities,
  useCanEditPolicies,
  useSelectableEntities,
} from './usePolicyData';

const PREVIEW = 5;

/** "payments-api, checkout-web and 3 more" */
export function MatchPreview(props: {
  matches?: Entity[];
  error?: Error;
  loading: boolean;
}) {
  const { matches, error, loading } = props;
  if (loading && !matches) return <Typography variant="body2">…</Typography>;
  if (!matches) {
    return (
      <Typography variant="body2" color="textSecondary">
        Unknown ({error?.message ?? 'catalog unavailable'})
      </Typography>
    );
  }
  const names = matches.slice(0, PREVIEW).map(e => e.metadata.name);
  return (
    <Typography variant="body2">
      <strong>
        {matches.length} {matches.length === 1 ? 'entity' : 'entities'}
      </strong>
      {names.length > 0 && (
        <>
          : {names.join(', ')}
          {matches.length > PREVIEW && ` and ${matches.length - PREVIEW} more`}
        </>
      )}
    </Typography>
  );
}

/** Every policy with what it matches, its environments and gates. */
export function PoliciesList() {
  const api = useApi(slipwayApiRef);
  const now = useNow(60_000);
  const canEdit = useCanEditPolicies();
  const fetchPolicies = useCallback(() => api.listPolicies(), [api]);
  const policies = useLiveQuery<PromotionPolicyVersion[]>(
    'policies',
    fetchPolicies,
  );
  const kinds = useMemo(
    () => (policies.value ?? []).flatMap(p => p.policy.selector.kinds ?? []),
    [policies.value],
  );
  const entities = useSelectableEntities(kinds);

  const newButton = canEdit.allowed && (
    <Button
      variant="contained"
      color="primary"
      component={RouterLink}
      to="?create=true"
    >
      New policy
    </Button>
  );

  let body;
  if (policies.loading) {
    body = <LoadingSkeleton label="Loading policies" rows={3} />;
  } else if (!policies.value) {
    body = (
      <Alert severity="error" role="alert">
        Could not load the promotion policies:{' '}
        {policies.error?.message ?? 'unknown error'}.{' '}
        <Button size="small" onClick={policies.refresh}>
          Retry
        </Button>
      </Alert>
    );
  } else if (policies.value.length === 0) {
    body = (
      <Alert severity="info">
        No promotion policies yet: promotions run without gates, by direct
        commit.{' '}
        {canEdit.allowed
          ? 'Create one to put gates in front of an environment.'
          : 'Platform admins create them.'}
      </Alert>
    );
  } else {
    body = (
      <TableContainer component={Paper}>
        <Table aria-label="Promotion policies" size="small">
          <TableHead>
            <TableRow>
              <TableCell>Policy</TableCell>
              <TableCell>Matches</TableCell>
              <TableCell>Environments and gates</TableCell>
              <TableCell>Last change</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {policies.value.map(version => {
              const retired = isRetired(version.policy);
              return (
                <TableRow key={version.name}>
                  <TableCell>
                    <Link to={version.name}>{version.name}</Link>
                    {retired && (
                      <Chip
                        size="small"
                        label="Retired"
                        style={{ marginLeft: 8 }}
                      />
                    )}
                    {version.policy.description && (
                      <Typography variant="body2" color="textSecondary">
                        {version.policy.description}
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell>
                    {retired ? (
                      <Typography variant="body2" color="textSecondary">
                        Applies nowhere
                      </Typography>
                    ) : (
                      <MatchPreview
                        loading={entities.loading}
                        error={entities.error}
                        matches={
                          entities.value &&
                          matchingEntities(version.policy, entities.value)
                        }
                      />
                    )}
                  </TableCell>
                  <TableCell>
                    {Object.entries(version.policy.environments).map(
                      ([environment, rule]) => (
                        <Typography variant="body2" key={environment}>
                          <strong>{environment}</strong> ({rule.mode}
                          {rule.autoPromote ? ', auto' : ''}):{' '}
                          {rule.gates.length
                            ? rule.gates.map(describeGate).join('; ')
                            : 'no gates'}
                        </Typography>
                      ),
                    )}
                  </TableCell>
                  <TableCell>
                    <Typography variant="body2">
                      v{version.version} by {displayActor(version.createdBy)}{' '}
                      <RelativeTime iso={version.createdAt} now={now} />
                    </Typography>
                    {version.comment && (
                      <Typography variant="body2" color="textSecondary">
                        “{version.comment}”
                      </Typography>
                    )}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </TableContainer>
    );
  }

  return (
    <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
      <Box display="flex" alignItems="center" style={{ gap: 16 }}>
        <Typography variant="body1" style={{ flex: 1 }}>
          Promotion policies put gates in front of environments for the entities
          they select. Every save is a new version with a note.
          {!canEdit.loading &&
            !canEdit.allowed &&
            ' You can read them; platform admins change them.'}
        </Typography>
        {newButton}
      </Box>
      {policies.value && entities.error && !entities.value && (
        <Alert severity="warning">
          Could not read the catalog ({entities.error.message}): matches are
          unknown.
        </Alert>
      )}
      {body}
    </Box>
  );
}
