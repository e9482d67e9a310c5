import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { GateResult } from '@slipway/plugin-slipway-common';
import { absoluteTime, untilTime } from '../common/format';
import { StatusChip } from '../common/StatusChip';
import { gateLabel, gateStatus } from './promotionStatus';

/**
 * Every gate as a row: what it checks, its result (colour, icon and text),
 * the reason, the policy it comes from and, for time-based gates (soak,
 * deploy windows, freezes with an end), when the result changes.
 */
export function GateList(props: {
  gates: GateResult[];
  now: number;
  label?: string;
}) {
  const { gates, now, label = 'Gates' } = props;
  if (gates.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No gate applies: no policy names this environment for this service, and
        nothing is frozen.
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label={label}>
      <TableHead>
        <TableRow>
          <TableCell>Gate</TableCell>
          <TableCell>Result</TableCell>
          <TableCell>Reason</TableCell>
          <TableCell>Policy</TableCell>
          <TableCell>Changes</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {gates.map((gate, index) => {
          const status = gateStatus(gate.status);
          return (
            <TableRow key={`${gate.type}-${index}`}>
              <TableCell component="th" scope="row">
                {gateLabel(gate.type)}
              </TableCell>
              <TableCell>
                <StatusChip tone={status.tone} label={status.label} />
              </TableCell>
              <TableCell style={{ overflowWrap: 'anywhere' }}>
                {gate.reason}
              </TableCell>
              <TableCell>
                {gate.policy
                  ? `${gate.policy.name} v${gate.policy.version}`
                  : 'admin freeze'}
              </TableCell>
              <TableCell>
                {gate.changesAt ? (
                  <time
                    dateTime={gate.changesAt}
                    title={absoluteTime(gate.changesAt)}
                  >
                    {untilTime(gate.changesAt, now)}
                  </time>
                ) : (
                  '—'
                )}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
