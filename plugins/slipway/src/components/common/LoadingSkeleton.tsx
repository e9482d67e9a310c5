import Skeleton from '@material-ui/lab/Skeleton';

/** Placeholder blocks with an accessible name, while data loads. */
export function LoadingSkeleton(props: {
  label: string;
  rows?: number;
  height?: number;
}) {
  const { label, rows = 1, height = 48 } = props;
  return (
    <div role="progressbar" aria-label={label} aria-busy="true">
      {Array.from({ length: rows }, (_, index) => (
        <Skeleton
          key={index}
          variant="rect"
          height={height}
          style={{ marginBottom: 8 }}
        />
      ))}
    </div>
  );
}
