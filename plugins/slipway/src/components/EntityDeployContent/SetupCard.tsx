import { Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import { CopyTextButton, ResponseErrorPanel } from '@backstage/core-components';
import { SLIPWAY_ANNOTATIONS } from '@slipway/plugin-slipway-common';
import { useApi } from '@backstage/core-plugin-api';
import Card from '@material-ui/core/Card';
import CardContent from '@material-ui/core/CardContent';
import CardHeader from '@material-ui/core/CardHeader';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { LoadingSkeleton } from '../common/LoadingSkeleton';
import { setupSnippet } from './setupSnippet';

/** `argocd/app-selector` stands for either Argo CD annotation. */
function missingName(annotation: string): string {
  return annotation === SLIPWAY_ANNOTATIONS.argocdAppSelector
    ? `${annotation} (or ${SLIPWAY_ANNOTATIONS.argocdAppName})`
    : annotation;
}

/**
 * For an entity without Slipway or Argo CD annotations: names what to add.
 * Only this case asks the config endpoint, which knows the `missing` list.
 */
export function SetupCard(props: { entity: Entity }) {
  const api = useApi(slipwayApiRef);
  const ref = getCompoundEntityRef(props.entity);
  const { value, loading, error } = useAsyncRetry(
    () => api.getEntityConfig(ref),
    [api, ref.kind, ref.namespace, ref.name],
  );
  if (loading)
    return <LoadingSkeleton label="Loading configuration" height={160} />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value) return null;
  return (
    <Card component="section" aria-labelledby="slipway-setup-heading">
      <CardHeader
        title="Set up Slipway for this entity"
        titleTypographyProps={{
          component: 'h2',
          variant: 'h6',
          id: 'slipway-setup-heading',
        }}
      />
      <CardContent>
        <Alert severity="info" role="status">
          <AlertTitle>Annotations missing</AlertTitle>
          {value.missing.length > 0
            ? `Add ${value.missing
                .map(missingName)
                .join(
                  ', ',
                )} to this entity's catalog-info.yaml to connect it to its GitOps repository and Argo CD.`
            : 'Add the Slipway or Argo CD annotations to this entity to see its deploy state.'}
        </Alert>
        <Typography
          variant="subtitle1"
          component="h3"
          style={{ marginTop: 16 }}
        >
          catalog-info.yaml to copy
        </Typography>
        <Typography variant="body2" color="textSecondary">
          This entity's own values, and for what is missing the values Slipway's
          conventions give; replace what is in angle brackets.
        </Typography>
        <section
          aria-label="catalog-info.yaml to copy"
          style={{ position: 'relative' }}
        >
          {/* Plain text in the theme's colours: a syntax theme's token
              colours failed WCAG contrast (axe, e2e). */}
          <pre
            style={{
              margin: 0,
              padding: '12px 48px 12px 12px',
              overflowX: 'auto',
              border: '1px solid rgba(0, 0, 0, 0.23)',
              borderRadius: 4,
            }}
          >
            <code>{setupSnippet(props.entity, value)}</code>
          </pre>
          <div style={{ position: 'absolute', top: 4, right: 4 }}>
            <CopyTextButton
              text={setupSnippet(props.entity, value)}
              tooltipText="Copied"
              aria-label="Copy catalog-info.yaml"
            />
          </div>
        </section>
        <Typography
          variant="subtitle1"
          component="h3"
          style={{ marginTop: 16 }}
        >
          Annotations Slipway reads
        </Typography>
        <Table size="small" aria-label="Annotations Slipway reads">
          <TableHead>
            <TableRow>
              <TableCell>Annotation</TableCell>
              <TableCell>Purpose</TableCell>
              <TableCell>Value</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {value.annotations.map(finding => (
              <TableRow key={finding.annotation}>
                <TableCell>
                  <code>{finding.annotation}</code>
                </TableCell>
                <TableCell>{finding.purpose}</TableCell>
                <TableCell>
                  {finding.value ? (
                    <code>{finding.value}</code>
                  ) : (
                    <Typography variant="body2" color="textSecondary">
                      {value.missing.includes(finding.annotation)
                        ? 'missing'
                        : 'not set'}
                    </Typography>
                  )}
                  {finding.problem && ` (${finding.problem})`}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}
