import { Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  AnnotationFinding,
  EntityDeployConfig,
} from '@slipway/plugin-slipway-common';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { slipwayApiRef } from '../../api/slipwayApiRef';

const columns: TableColumn<AnnotationFinding>[] = [
  {
    title: 'Annotation',
    field: 'annotation',
    render: row => <code>{row.annotation}</code>,
  },
  { title: 'Purpose', field: 'purpose' },
  {
    title: 'Value',
    field: 'value',
    render: row =>
      row.value ? (
        <code>{row.value}</code>
      ) : (
        <Typography variant="body2" color="textSecondary">
          not set
        </Typography>
      ),
  },
  {
    title: 'Status',
    field: 'problem',
    render: row => {
      if (row.problem) {
        return <Chip size="small" color="secondary" label={row.problem} />;
      }
      return row.value ? (
        <Chip size="small" label="ok" />
      ) : (
        <Typography variant="body2" color="textSecondary">
          —
        </Typography>
      );
    },
  },
];

function SandboxBanner() {
  return (
    <Alert severity="info" role="status">
      <AlertTitle>Sandbox</AlertTitle>
      This portal is wired to Slipway's local sandbox: Argo CD, GitHub, Harbor
      and SonarQube are local stand-ins, not real services.
    </Alert>
  );
}

function ConfigView({ config }: { config: EntityDeployConfig }) {
  const found = config.annotations.filter(a => a.value);
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Alert severity="info" role="status">
          <AlertTitle>Deploy state is not available in this version</AlertTitle>
          Slipway reads this entity's configuration but does not yet query CI,
          registry, scanner or Argo CD. Below is what it found.
        </Alert>
      </Grid>
      {config.missing.length > 0 && (
        <Grid item xs={12}>
          <Alert severity="warning">
            <AlertTitle>Annotations missing</AlertTitle>
            Add {config.missing.join(', ')} to this entity's catalog-info.yaml
            to connect it to its GitOps repository and Argo CD.
          </Alert>
        </Grid>
      )}
      <Grid item xs={12} md={6}>
        <InfoCard title="Environments">
          {config.environments.length === 0 ? (
            <Typography>No environment applies to this entity.</Typography>
          ) : (
            <ol aria-label="Environments in promotion order">
              {config.environments.map(env => (
                <li key={env.name}>
                  <Typography component="span">
                    <strong>{env.name}</strong> — Argo CD sync:{' '}
                    {env.syncMode === 'auto' ? 'automatic' : 'manual'}
                  </Typography>
                </li>
              ))}
            </ol>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Sources">
          <dl>
            <dt>GitOps</dt>
            <dd>
              {config.gitops
                ? `${config.gitops.repo} → ${config.gitops.path}`
                : 'not configured'}
            </dd>
            <dt>Image</dt>
            <dd>{config.image ?? 'not configured'}</dd>
            <dt>Argo CD</dt>
            <dd>
              {config.argocd?.appSelector ??
                config.argocd?.appName ??
                'not configured'}
            </dd>
            <dt>CI</dt>
            <dd>
              {config.ci
                ? `${config.ci.provider}: ${config.ci.projectSlug}`
                : 'not configured'}
            </dd>
            <dt>Backend providers</dt>
            <dd>
              {config.providers.length === 0
                ? 'none installed'
                : config.providers.map(p => `${p.kind}: ${p.id}`).join(', ')}
            </dd>
          </dl>
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <Table<AnnotationFinding>
          title={`Annotations (${found.length} set)`}
          options={{
            paging: false,
            search: false,
            sorting: false,
            padding: 'dense',
          }}
          columns={columns}
          data={config.annotations}
        />
      </Grid>
    </Grid>
  );
}

function useEntityConfig(entity: Entity) {
  const api = useApi(slipwayApiRef);
  const ref = getCompoundEntityRef(entity);
  return useAsyncRetry(
    () => api.getEntityConfig(ref),
    [api, ref.kind, ref.namespace, ref.name],
  );
}

/**
 * The Deploy tab of a catalog entity.
 *
 * @public
 */
export function EntityDeployContent() {
  const { entity } = useEntity();
  const configApi = useApi(configApiRef);
  const sandbox = configApi.getOptionalBoolean('slipway.sandbox') ?? false;
  const { value, loading, error } = useEntityConfig(entity);

  let body;
  if (loading) {
    body = <Progress />;
  } else if (error) {
    body = <ResponseErrorPanel error={error} />;
  } else if (!value) {
    body = <EmptyState missing="data" title="No configuration returned" />;
  } else {
    body = <ConfigView config={value} />;
  }

  return (
    <Grid container spacing={3}>
      {sandbox && (
        <Grid item xs={12}>
          <SandboxBanner />
        </Grid>
      )}
      <Grid item xs={12}>
        {body}
      </Grid>
    </Grid>
  );
}
