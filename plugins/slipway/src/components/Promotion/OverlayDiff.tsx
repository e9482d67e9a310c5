import Typography from '@material-ui/core/Typography';
import { makeStyles, Theme } from '@material-ui/core/styles';
import { parsePatch } from 'diff';

const useStyles = makeStyles((theme: Theme) => {
  const dark = theme.palette.type === 'dark';
  return {
    frame: {
      border: `1px solid ${theme.palette.divider}`,
      borderRadius: theme.shape.borderRadius,
      overflowX: 'auto',
      fontFamily: 'monospace',
      fontSize: '0.8125rem',
      lineHeight: 1.5,
    },
    file: {
      padding: theme.spacing(0.5, 1),
      borderBottom: `1px solid ${theme.palette.divider}`,
      backgroundColor: theme.palette.action.hover,
      fontWeight: 600,
    },
    hunk: {
      padding: theme.spacing(0, 1),
      // Primary text: secondary grey on this tint is under 4.5:1 (axe color-contrast).
      color: theme.palette.text.primary,
      backgroundColor: dark ? '#1e2a3a' : '#eef4fb',
    },
    line: {
      display: 'block',
      whiteSpace: 'pre',
      textDecoration: 'none',
      padding: theme.spacing(0, 1),
      minWidth: 'max-content',
    },
    added: {
      backgroundColor: dark ? '#123d1e' : '#e6ffec',
      color: dark ? '#c8f7d2' : '#0b4a1c',
    },
    removed: {
      backgroundColor: dark ? '#4a1a1a' : '#ffebe9',
      color: dark ? '#ffd7d5' : '#82071e',
    },
    marker: { userSelect: 'none', display: 'inline-block', width: '1.5em' },
    srOnly: {
      position: 'absolute',
      width: 1,
      height: 1,
      overflow: 'hidden',
      clip: 'rect(0 0 0 0)',
      whiteSpace: 'nowrap',
    },
  };
});

interface Hunk {
  header: string;
  lines: string[];
}

function hunksOf(diff: string): { file?: string; hunks: Hunk[] } {
  try {
    const [patch] = parsePatch(diff);
    if (patch && patch.hunks.length > 0) {
      return {
        file: patch.newFileName?.replace(/^b\//, ''),
        hunks: patch.hunks.map(h => ({
          header: `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`,
          lines: h.lines,
        })),
      };
    }
  } catch {
    // Not a parsable unified diff: show its lines as they are.
  }
  return {
    hunks: [
      {
        header: '',
        lines: diff
          .split('\n')
          .filter(l => l && !l.startsWith('---') && !l.startsWith('+++')),
      },
    ],
  };
}

/**
 * A unified diff as a reviewer reads it: added lines green and marked `+`,
 * removed lines red and marked `−`, as `<ins>` and `<del>` so assistive
 * technology announces them too.
 */
export function OverlayDiff(props: { diff: string; path: string }) {
  const { diff, path } = props;
  const classes = useStyles();
  if (!diff.trim()) {
    return (
      <Typography variant="body2" color="textSecondary">
        No change: {path} already sets this image.
      </Typography>
    );
  }
  const { file, hunks } = hunksOf(diff);
  return (
    <div
      className={classes.frame}
      role="region"
      aria-label={`Changes to ${file ?? path}`}
      // Scrolls sideways for long lines: keyboard users must reach it.
      // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
      tabIndex={0}
    >
      <div className={classes.file}>{file ?? path}</div>
      {hunks.map((hunk, index) => (
        <div key={index}>
          {hunk.header && <div className={classes.hunk}>{hunk.header}</div>}
          {hunk.lines.map((line, lineIndex) => {
            const key = `${index}-${lineIndex}`;
            const text = line.slice(1);
            if (line.startsWith('+')) {
              return (
                <ins key={key} className={`${classes.line} ${classes.added}`}>
                  <span className={classes.srOnly}>added: </span>
                  <span className={classes.marker} aria-hidden="true">
                    +
                  </span>
                  {text}
                </ins>
              );
            }
            if (line.startsWith('-')) {
              return (
                <del key={key} className={`${classes.line} ${classes.removed}`}>
                  <span className={classes.srOnly}>removed: </span>
                  <span className={classes.marker} aria-hidden="true">
                    −
                  </span>
                  {text}
                </del>
              );
            }
            if (line.startsWith('\\')) return null;
            return (
              <span key={key} className={classes.line}>
                <span className={classes.marker} aria-hidden="true">
                  {' '}
                </span>
                {text}
              </span>
            );
          })}
        </div>
      ))}
    </div>
  );
}
