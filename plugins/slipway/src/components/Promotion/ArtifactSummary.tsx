import { Link } from '@backstage/core-components';
import { makeStyles } from '@material-ui/core/styles';
import {
  ArtifactState,
  BuildRun,
  PromotionArtifact,
} from '@slipway/plugin-slipway-common';
import { shortSha } from '../common/format';
import { StatusChip } from '../common/StatusChip';
import { Tone } from '../common/status';
import { buildTone, scanTone } from '../DeployState/pipeline';

const useStyles = makeStyles(theme => ({
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: theme.spacing(1, 0),
    '& dt': { color: theme.palette.text.secondary },
    '& dd': { margin: 0, minWidth: 0, overflowWrap: 'anywhere' },
  },
}));

function qualityStatus(artifact?: ArtifactState): {
  tone: Tone;
  label: string;
} {
  switch (artifact?.quality?.status) {
    case 'OK':
      return { tone: 'ok', label: 'Passed' };
    case 'WARN':
      return { tone: 'warning', label: 'Warning' };
    case 'ERROR':
      return { tone: 'error', label: 'Failed' };
    default:
      return { tone: 'unknown', label: 'Unknown' };
  }
}

function signatureStatus(artifact?: ArtifactState): {
  tone: Tone;
  label: string;
} {
  if (!artifact?.signature) return { tone: 'unknown', label: 'Unknown' };
  return artifact.signature.signed
    ? { tone: 'ok', label: `Signed (${artifact.signature.count})` }
    : { tone: 'error', label: 'Not signed' };
}

/**
 * What moves: tag, digest, source commit, and what the Deploy tab knows of
 * the artifact (build, scan, quality gate, signature). A fact the tab does
 * not know is shown as unknown, never as passed.
 */
export function ArtifactSummary(props: {
  artifact: PromotionArtifact;
  /** The same digest as the Deploy tab's state knows it, if it does. */
  known?: ArtifactState;
  builds?: BuildRun[];
  commitMessage?: string;
}) {
  const { artifact, known, builds = [], commitMessage } = props;
  const classes = useStyles();
  const commit = artifact.sourceCommit ?? known?.sourceCommit;
  const build = known?.build ?? builds.find(b => commit && b.commit === commit);
  const buildStatus = buildTone(build, true);
  const scan = scanTone(known?.scan, true);
  const quality = qualityStatus(known);
  const signature = signatureStatus(known);
  return (
    <dl className={classes.facts} aria-label="Artifact">
      <dt>Image</dt>
      <dd>
        <code>{artifact.repository}</code>
      </dd>
      <dt>Tag</dt>
      <dd>
        <code>{artifact.tag ?? 'none'}</code>
      </dd>
      <dt>Digest</dt>
      <dd>
        <code>{artifact.digest}</code>
      </dd>
      <dt>Commit</dt>
      <dd>
        {commit ? <code title={commit}>{shortSha(commit)}</code> : 'unknown'}
        {commitMessage ? ` ${commitMessage}` : ''}
      </dd>
      <dt>Build</dt>
      <dd>
        {build ? (
          <>
            {build.url ? (
              <Link to={build.url}>{build.name ?? build.id}</Link>
            ) : (
              build.name ?? build.id
            )}{' '}
            <StatusChip tone={buildStatus.tone} label={buildStatus.status} />
          </>
        ) : (
          <StatusChip tone="unknown" label="No build found" />
        )}
      </dd>
      <dt>Scan</dt>
      <dd>
        <StatusChip tone={scan.tone} label={scan.status} />
        {known?.scan?.reportUrl && (
          <>
            {' '}
            <Link to={known.scan.reportUrl}>report</Link>
          </>
        )}
      </dd>
      <dt>Quality gate</dt>
      <dd>
        <StatusChip tone={quality.tone} label={quality.label} />
      </dd>
      <dt>Signature</dt>
      <dd>
        <StatusChip tone={signature.tone} label={signature.label} />
      </dd>
    </dl>
  );
}
