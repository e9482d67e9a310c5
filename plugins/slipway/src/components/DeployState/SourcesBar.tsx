import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { SourceReport } from '@slipway/plugin-slipway-common';
import { relativeTime } from '../common/format';
import { RelativeTime } from '../common/RelativeTime';
import { StatusChip } from '../common/StatusChip';
import {
  sourceLabel,
  sourceMessage,
  sourceSentence,
  sourceTone,
} from '../common/status';

const STATUS_TEXT: Record<SourceReport['status'], string> = {
  ok: 'ok',
  error: 'unreachable',
  stale: 'stale',
  unconfigured: 'not configured',
  'rate-limited': 'rate limited',
  pending: 'loading…',
};

/** Data age, and how each upstream source fared. */
export function SourcesBar(props: {
  generatedAt: string;
  sources: SourceReport[];
  now: number;
  refreshing?: boolean;
}) {
  const { generatedAt, sources, now, refreshing } = props;
  return (
    <Box
      display="flex"
      flexWrap="wrap"
      alignItems="center"
      style={{ gap: 8 }}
      role="group"
      aria-label="Data sources"
    >
      <Typography variant="body2">
        Updated <RelativeTime iso={generatedAt} now={now} />
        {refreshing ? ' (refreshing…)' : ''}
      </Typography>
      {sources.map(source => (
        <StatusChip
          key={source.source}
          tone={sourceTone(source)}
          label={`${sourceLabel(source)}: ${STATUS_TEXT[source.status]}`}
          title={
            [
              sourceSentence(source, now),
              sourceMessage(source, now),
              source.fetchedAt &&
                `fetched ${relativeTime(source.fetchedAt, now)}`,
            ]
              .filter(Boolean)
              .join('. ') || undefined
          }
        />
      ))}
    </Box>
  );
}
