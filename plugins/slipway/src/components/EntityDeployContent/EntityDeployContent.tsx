import { configApiRef, useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { DeployStateView } from '../DeployState/DeployStateView';
import { isSlipwayAvailable } from './isSlipwayAvailable';
import { SetupCard } from './SetupCard';

function SandboxBanner() {
  return (
    <Alert severity="info" role="status">
      <AlertTitle>Sandbox</AlertTitle>
      This portal is wired to Slipway's local sandbox: Argo CD, Flux (a
      Kubernetes API), GitHub, Harbor and SonarQube are local stand-ins, not
      real services.
    </Alert>
  );
}

/**
 * The Deploy tab of a catalog entity: what was built, scanned and runs
 * where. Entities without Slipway or Argo CD annotations get a setup card.
 *
 * @public
 */
export function EntityDeployContent() {
  const { entity } = useEntity();
  const configApi = useApi(configApiRef);
  const sandbox = configApi.getOptionalBoolean('slipway.sandbox') ?? false;

  return (
    <Grid container spacing={3}>
      {sandbox && (
        <Grid item xs={12}>
          <SandboxBanner />
        </Grid>
      )}
      <Grid item xs={12}>
        {isSlipwayAvailable(entity) ? (
          <DeployStateView entity={entity} />
        ) : (
          <SetupCard entity={entity} />
        )}
      </Grid>
    </Grid>
  );
}
