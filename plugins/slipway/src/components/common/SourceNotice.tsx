import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { SourceReport } from '@slipway/plugin-slipway-common';
import { sourceSentence } from './status';

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
      {report.message ? `. ${report.message}` : ''}
    </Alert>
  );
}
