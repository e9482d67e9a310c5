import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { RolloutState } from '@slipway/plugin-slipway-common';
import { StatusChip } from '../common/StatusChip';
import { Tone } from '../common/status';

function analysisTone(analysis: RolloutState['analysis']): Tone {
  switch (analysis) {
    case 'Successful':
      return 'ok';
    case 'Failed':
    case 'Error':
      return 'error';
    case 'Inconclusive':
      return 'warning';
    case 'Running':
    case 'Pending':
      return 'progress';
    default:
      return 'unknown';
  }
}

/** Progressive delivery: strategy, step, traffic weight, pause, analysis. */
export function RolloutView(props: {
  rollout: RolloutState;
  environment: string;
}) {
  const { rollout, environment } = props;
  const strategy = rollout.strategy === 'canary' ? 'Canary' : 'Blue-green';
  const hasSteps =
    rollout.currentStep !== undefined && rollout.totalSteps !== undefined;
  return (
    <Box
      component="section"
      aria-label={`Rollout in ${environment}`}
      mt={1}
      mb={1}
    >
      <Typography variant="subtitle2" component="h4">
        Rollout: {strategy}
        {hasSteps && `, step ${rollout.currentStep} of ${rollout.totalSteps}`}
        {rollout.phase && ` (${rollout.phase})`}
      </Typography>
      {rollout.weight !== undefined && (
        <Box display="flex" alignItems="center" style={{ gap: 8 }}>
          <Box flexGrow={1}>
            <LinearProgress
              variant="determinate"
              value={Math.max(0, Math.min(100, rollout.weight))}
              aria-label={`Traffic to the new version in ${environment}`}
              aria-valuetext={`${rollout.weight}% of traffic`}
            />
          </Box>
          <Typography variant="body2">{rollout.weight}% traffic</Typography>
        </Box>
      )}
      <Box display="flex" flexWrap="wrap" mt={0.5} style={{ gap: 8 }}>
        {rollout.paused && <StatusChip tone="warning" label="Paused" />}
        {rollout.analysis && (
          <StatusChip
            tone={analysisTone(rollout.analysis)}
            label={`Analysis: ${rollout.analysis}`}
          />
        )}
      </Box>
      {rollout.message && (
        <Typography variant="body2" color="textSecondary">
          {rollout.message}
        </Typography>
      )}
    </Box>
  );
}
