import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  pauseReasonText,
  readableRolloutMessage,
  RolloutState,
  rolloutProgress,
} from '@slipway/plugin-slipway-common';
import { StatusChip } from '../common/StatusChip';
import { Tone } from '../common/status';

const useStyles = makeStyles(theme => ({
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.25),
    margin: theme.spacing(0.5, 0),
    '& dt': { color: theme.palette.text.secondary },
    '& dd': { margin: 0, minWidth: 0, overflowWrap: 'anywhere' },
  },
}));

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

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const STRATEGY: Record<RolloutState['strategy'], string> = {
  canary: 'Canary',
  blueGreen: 'Blue-green',
  deployment: 'Deployment',
};

/** Which revision a blue-green service serves, in words. */
function serves(selector: string | undefined, current: string | undefined) {
  if (!selector) return 'no revision yet';
  if (!current) return `revision ${selector}`;
  return selector === current
    ? `the new version (${selector})`
    : `the previous version (${selector})`;
}

/**
 * Progressive delivery in the words of its real strategy: a canary's step,
 * traffic weight and pause; a blue-green's active and preview services and
 * promotion; a Deployment's rollout status. Argo's enums become words.
 */
export function RolloutView(props: {
  rollout: RolloutState;
  environment: string;
}) {
  const { rollout, environment } = props;
  const classes = useStyles();
  const progress = rolloutProgress(rollout);
  const strategy = STRATEGY[rollout.strategy] ?? 'Rollout';
  const hasSteps =
    rollout.strategy === 'canary' &&
    rollout.currentStep !== undefined &&
    rollout.totalSteps !== undefined;
  const message = readableRolloutMessage(rollout.message);
  const pause = rollout.paused
    ? capitalise(pauseReasonText(rollout.pauseReason))
    : undefined;
  // A bare enum message that only repeats the pause reason says nothing new.
  const showMessage =
    message &&
    message !== pause &&
    !(rollout.strategy === 'deployment' && progress.text.endsWith(message));
  const blueGreen = rollout.blueGreen;
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
        {rollout.strategy === 'canary'
          ? rollout.phase && ` (${rollout.phase})`
          : `, ${progress.label.toLocaleLowerCase()}`}
      </Typography>
      {rollout.strategy === 'canary' && rollout.weight !== undefined && (
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
      {rollout.strategy === 'blueGreen' && (
        <dl
          className={classes.facts}
          aria-label={`Blue-green services in ${environment}`}
        >
          <dt>Active</dt>
          <dd>
            {blueGreen?.activeService ? (
              <code>{blueGreen.activeService}</code>
            ) : (
              'active service'
            )}{' '}
            serves{' '}
            {serves(blueGreen?.activeSelector, blueGreen?.currentPodHash)}
          </dd>
          <dt>Preview</dt>
          <dd>
            {blueGreen?.previewService ? (
              <>
                <code>{blueGreen.previewService}</code> serves{' '}
                {serves(blueGreen.previewSelector, blueGreen.currentPodHash)}
              </>
            ) : (
              'no preview service'
            )}
          </dd>
          <dt>Promotion</dt>
          <dd>
            {progress.label}
            {blueGreen?.autoPromotionEnabled === false &&
              progress.inProgress &&
              ' (manual promotion)'}
            {blueGreen?.autoPromotionEnabled && ' (automatic)'}
          </dd>
        </dl>
      )}
      {rollout.strategy === 'deployment' && (
        <Typography variant="body2">{progress.text}</Typography>
      )}
      <Box display="flex" flexWrap="wrap" mt={0.5} style={{ gap: 8 }}>
        {pause && <StatusChip tone="warning" label={pause} />}
        {progress.failed && (
          <StatusChip
            tone="error"
            label={progress.label}
            title={progress.text}
          />
        )}
        {rollout.analysis && (
          <StatusChip
            tone={analysisTone(rollout.analysis)}
            label={`Analysis: ${rollout.analysis}`}
          />
        )}
      </Box>
      {showMessage && (
        <Typography variant="body2" color="textSecondary">
          {message}
        </Typography>
      )}
    </Box>
  );
}
