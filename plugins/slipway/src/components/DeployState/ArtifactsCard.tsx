import { Link } from '@backstage/core-components';
import Card from '@material-ui/core/Card';
import CardContent from '@material-ui/core/CardContent';
import CardHeader from '@material-ui/core/CardHeader';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import {
  ArtifactState,
  buildRunLabel,
  EntityState,
  QualityGate,
  SignatureState,
} from '@slipway/plugin-slipway-common';
import { duration, shortDigest, shortSha, shortTag } from '../common/format';
import { RelativeTime } from '../common/RelativeTime';
import { StatusChip } from '../common/StatusChip';
import { findSource, isSourceHealthy, Tone } from '../common/status';
import { buildTone, scanTone } from './pipeline';

function qualityTone(gate: QualityGate | undefined, ok: boolean): Tone {
  switch (gate?.status) {
    case 'OK':
      return ok ? 'ok' : 'unknown';
    case 'WARN':
      return 'warning';
    case 'ERROR':
      return 'error';
    default:
      return 'unknown';
  }
}

/** A signature read from a registry that did not answer `ok` is never green. */
function signatureLabel(
  signature: SignatureState | undefined,
  registryOk: boolean,
) {
  if (!signature)
    return { tone: 'unknown' as Tone, label: 'Signature unknown' };
  return signature.signed
    ? {
        tone: (registryOk ? 'ok' : 'unknown') as Tone,
        label: `Signed (${signature.count} ${
          signature.count === 1 ? 'signature' : 'signatures'
        })`,
      }
    : { tone: 'error' as Tone, label: 'Not signed' };
}

/** Distinct artifacts across environments, with where each one runs. */
function artifactsByImage(state: EntityState) {
  const byKey = new Map<string, { artifact: ArtifactState; envs: string[] }>();
  for (const env of state.environments) {
    if (!env.artifact) continue;
    const key = env.artifact.image.digest ?? env.artifact.image.tag ?? '';
    const entry = byKey.get(key) ?? { artifact: env.artifact, envs: [] };
    entry.envs.push(env.environment);
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

/** Recent builds, and scan, quality gate and signature per artifact. */
export function ArtifactsCard(props: { state: EntityState; now: number }) {
  const { state, now } = props;
  const ci = findSource(state.sources, 'ci');
  const registry = findSource(state.sources, 'artifacts');
  const quality = findSource(state.sources, 'quality');
  const artifacts = artifactsByImage(state);
  return (
    <Card component="section" aria-labelledby="slipway-artifacts-heading">
      <CardHeader
        title="Artifacts"
        titleTypographyProps={{
          component: 'h2',
          variant: 'h6',
          id: 'slipway-artifacts-heading',
        }}
      />
      <CardContent>
        <Typography variant="subtitle1" component="h3">
          Recent builds
        </Typography>
        {state.builds.length === 0 ? (
          <Typography variant="body2" color="textSecondary">
            No builds found.
          </Typography>
        ) : (
          <Table size="small" aria-label="Recent builds">
            <TableHead>
              <TableRow>
                <TableCell>Run</TableCell>
                <TableCell>Commit</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Duration</TableCell>
                <TableCell>Started</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {state.builds.map(build => {
                const status = buildTone(build, isSourceHealthy(ci));
                return (
                  <TableRow key={build.id}>
                    <TableCell>
                      {build.url ? (
                        <Link to={build.url}>{buildRunLabel(build)}</Link>
                      ) : (
                        buildRunLabel(build)
                      )}
                    </TableCell>
                    <TableCell
                      title={build.commit}
                      style={{ whiteSpace: 'nowrap' }}
                    >
                      <code>{shortSha(build.commit)}</code>
                      {build.branch ? ` on ${build.branch}` : ''}
                    </TableCell>
                    <TableCell>
                      <StatusChip tone={status.tone} label={status.status} />
                    </TableCell>
                    <TableCell>
                      {duration(build.durationSeconds) ?? '—'}
                    </TableCell>
                    <TableCell>
                      <RelativeTime iso={build.startedAt} now={now} />
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        )}
        <Typography
          variant="subtitle1"
          component="h3"
          style={{ marginTop: 16 }}
        >
          Images
        </Typography>
        {artifacts.length === 0 ? (
          <Typography variant="body2" color="textSecondary">
            No image is set in any environment yet.
          </Typography>
        ) : (
          <Table size="small" aria-label="Images and their checks">
            <TableHead>
              <TableRow>
                <TableCell>Image</TableCell>
                <TableCell>In</TableCell>
                <TableCell>Scan (critical / high / medium / low)</TableCell>
                <TableCell>Quality gate</TableCell>
                <TableCell>Signature</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {artifacts.map(({ artifact, envs }) => {
                const scan = artifact.scan;
                const scanStatus = scanTone(scan, isSourceHealthy(registry));
                const signature = signatureLabel(
                  artifact.signature,
                  isSourceHealthy(registry),
                );
                const gate = artifact.quality;
                const key = artifact.image.digest ?? artifact.image.tag;
                return (
                  <TableRow key={key}>
                    <TableCell
                      title={artifact.image.digest ?? artifact.image.tag}
                    >
                      {artifact.url ? (
                        <Link to={artifact.url}>
                          <code>
                            {shortTag(artifact.image.tag) ??
                              shortDigest(artifact.image.digest)}
                          </code>
                        </Link>
                      ) : (
                        <code>
                          {shortTag(artifact.image.tag) ??
                            shortDigest(artifact.image.digest)}
                        </code>
                      )}
                    </TableCell>
                    <TableCell>{envs.join(', ')}</TableCell>
                    <TableCell>
                      <StatusChip
                        tone={scanStatus.tone}
                        label={scanStatus.status}
                      />
                      {scan && scan.status === 'Success' && (
                        <Typography variant="body2" component="span">
                          {' '}
                          {scan.critical} / {scan.high} / {scan.medium} /{' '}
                          {scan.low}
                        </Typography>
                      )}
                      {scan?.reportUrl && (
                        <>
                          {' '}
                          <Link
                            to={scan.reportUrl}
                            aria-label={`Scan report of ${
                              shortTag(artifact.image.tag) ?? 'image'
                            }`}
                          >
                            report
                          </Link>
                        </>
                      )}
                    </TableCell>
                    <TableCell>
                      <StatusChip
                        tone={qualityTone(gate, isSourceHealthy(quality))}
                        label={gate ? gate.status : 'unknown'}
                      />
                      {gate?.url && (
                        <>
                          {' '}
                          <Link to={gate.url}>details</Link>
                        </>
                      )}
                    </TableCell>
                    <TableCell>
                      <StatusChip
                        tone={signature.tone}
                        label={signature.label}
                      />
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}
