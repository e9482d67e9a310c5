import { absoluteTime, relativeTime } from './format';

/** "3 minutes ago", with the absolute time on hover and in `dateTime`. */
export function RelativeTime(props: { iso?: string; now: number }) {
  const { iso, now } = props;
  if (!iso) return <span>at an unknown time</span>;
  return (
    <time dateTime={iso} title={absoluteTime(iso)}>
      {relativeTime(iso, now)}
    </time>
  );
}
