import { makeStyles } from '@material-ui/core/styles';
import { PromotionPolicyVersion } from '@slipway/plugin-slipway-common';
import { diffLines } from 'diff';
import { useMemo } from 'react';
import { policyYaml } from './policyForm';

const useStyles = makeStyles(theme => ({
  table: {
    width: '100%',
    borderCollapse: 'collapse',
    fontFamily: 'monospace',
    fontSize: 13,
    tableLayout: 'fixed',
  },
  cell: {
    verticalAlign: 'top',
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    padding: theme.spacing(0, 1),
    borderRight: `1px solid ${theme.palette.divider}`,
  },
  removed: {
    backgroundColor: theme.palette.type === 'dark' ? '#5a1e1e' : '#ffebe9',
  },
  added: {
    backgroundColor: theme.palette.type === 'dark' ? '#1e4a2a' : '#e6ffec',
  },
  marker: { userSelect: 'none', width: '1.5em', display: 'inline-block' },
}));

interface Side {
  text: string;
  change?: 'removed' | 'added';
}

/** Pairs a line-based diff into left (older) and right (newer) rows. */
function sideBySide(before: string, after: string): [Side?, Side?][] {
  const rows: [Side?, Side?][] = [];
  let removed: string[] = [];
  let added: string[] = [];
  const flush = () => {
    for (let i = 0; i < Math.max(removed.length, added.length); i++) {
      rows.push([
        removed[i] !== undefined
          ? { text: removed[i], change: 'removed' }
          : undefined,
        added[i] !== undefined
          ? { text: added[i], change: 'added' }
          : undefined,
      ]);
    }
    removed = [];
    added = [];
  };
  for (const part of diffLines(before, after)) {
    const lines = part.value.replace(/\n$/, '').split('\n');
    if (part.removed) removed.push(...lines);
    else if (part.added) added.push(...lines);
    else {
      flush();
      for (const line of lines) rows.push([{ text: line }, { text: line }]);
    }
  }
  flush();
  return rows;
}

/** Two versions of a policy side by side, as YAML; changes marked − and +. */
export function VersionDiff(props: {
  before: PromotionPolicyVersion;
  after: PromotionPolicyVersion;
}) {
  const { before, after } = props;
  const classes = useStyles();
  const rows = useMemo(
    () => sideBySide(policyYaml(before.policy), policyYaml(after.policy)),
    [before, after],
  );
  const cell = (side: Side | undefined) => (
    <td
      className={`${classes.cell} ${side?.change ? classes[side.change] : ''}`}
    >
      {side && (
        <>
          <span className={classes.marker} aria-hidden="true">
            {side.change === 'removed' ? '−' : ''}
            {side.change === 'added' ? '+' : ''}
          </span>
          {side.change && (
            <span
              style={{ position: 'absolute', left: -10000 }}
            >{`${side.change}: `}</span>
          )}
          {side.text}
        </>
      )}
    </td>
  );
  return (
    <table
      className={classes.table}
      aria-label={`Changes from version ${before.version} to version ${after.version}`}
    >
      <thead>
        <tr>
          <th scope="col" className={classes.cell}>
            Version {before.version}
          </th>
          <th scope="col" className={classes.cell}>
            Version {after.version}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([left, right], index) => (
          <tr key={index}>
            {cell(left)}
            {cell(right)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
