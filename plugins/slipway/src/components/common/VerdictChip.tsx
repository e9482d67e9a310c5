import { EnvironmentVerdict } from '@slipway/plugin-slipway-common';
import { absoluteTime, relativeTime } from './format';
import { StatusChip } from './StatusChip';

/**
 * An environment's one verdict (the common `environmentVerdict` rule), worded
 * and coloured the same on the Deploy tab's cards and on the fleet;
 * last-known verdicts say from when, and are never green.
 */
export function VerdictChip(props: {
  verdict: EnvironmentVerdict;
  now: number;
}) {
  const { verdict, now } = props;
  const since = verdict.lastKnownAt
    ? ` (${relativeTime(verdict.lastKnownAt, now)})`
    : '';
  const when = verdict.lastKnownAt
    ? ` Data of ${absoluteTime(verdict.lastKnownAt)}.`
    : '';
  return (
    <StatusChip
      tone={verdict.tone}
      label={`${verdict.label}${verdict.lastKnown ? since : ''}`}
      title={`${verdict.reason}${
        verdict.progress ? `. ${verdict.progress.text}` : ''
      }.${verdict.kind === 'unknown' ? when : ''}`}
    />
  );
}
