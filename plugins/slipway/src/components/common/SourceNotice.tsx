import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { SourceReport } from '@slipway/plugin-slipway-common';
import {
  failingSources,
  findSource,
  sourceMessage,
  sourceSentence,
} from './status';

/**
 * Says, where a source's data would be, that the source failed, is stale,
 * rate limited or not configured. Renders nothing for a healthy source.
 */
export function SourceNotice(props: {
  report?: SourceReport;
  now: number;
  /** A healthy source whose data is shown instead, e.g. Git for Argo CD. */
  fallback?: SourceReport;
}) {
  const { report, now, fallback } = props;
  const sentence = sourceSentence(report, now, fallback);
  if (!report || !sentence) return null;
  const message = sourceMessage(report, now);
  if (report.status === 'unconfigured') {
    return (
      <Typography variant="body2" color="textSecondary">
        {sentence}
      </Typography>
    );
  }
  return (
    <Alert
      severity={report.status === 'error' ? 'error' : 'warning'}
      role="status"
      style={{ overflowWrap: 'anywhere' }}
    >
      {sentence}
      {message ? `. ${message}` : ''}
    </Alert>
  );
}

/**
 * One notice per source that is not `ok`, named after its vendor, with
 * its age or retry time; Argo CD's notice says when Git's state is shown
 * instead. Nothing when every source answered.
 */
export function SourceNotices(props: { sources: SourceReport[]; now: number }) {
  const { sources, now } = props;
  const failing = failingSources(sources);
  if (failing.length === 0) return null;
  const gitops = findSource(sources, 'gitops');
  return (
    <div
      role="group"
      aria-label="Sources with problems"
      style={{ display: 'flex', flexDirection: 'column', gap: 8 }}
    >
      {failing.map(report => (
        <SourceNotice
          key={`${report.source}|${report.status}`}
          report={report}
          now={now}
          fallback={report.kind === 'delivery' ? gitops : undefined}
        />
      ))}
    </div>
  );
}
