import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ArrowForward from '@material-ui/icons/ArrowForward';
import { EntityState, Promotion } from '@slipway/plugin-slipway-common';
import { StatusChip } from '../common/StatusChip';
import { pipelineSteps } from './pipeline';

const useStyles = makeStyles(theme => ({
  list: {
    display: 'flex',
    flexWrap: 'wrap',
    // Every box as tall as the tallest in its row, whatever its badges.
    alignItems: 'stretch',
    gap: theme.spacing(1),
    listStyle: 'none',
    margin: 0,
    padding: 0,
  },
  item: {
    display: 'flex',
    alignItems: 'stretch',
    gap: theme.spacing(1),
    flex: '1 1 0',
    minWidth: 170,
  },
  arrow: { color: theme.palette.text.secondary, alignSelf: 'center' },
  step: {
    padding: theme.spacing(1, 1.5),
    flex: '1 1 auto',
    minWidth: 0,
    display: 'grid',
    // name, status, artifact on fixed rows; badges and notes below.
    gridTemplateRows: 'auto auto auto 1fr',
    rowGap: theme.spacing(0.5),
    justifyItems: 'start',
  },
  name: { fontWeight: 600, textTransform: 'capitalize' },
  badges: {
    display: 'flex',
    flexWrap: 'wrap',
    alignContent: 'flex-start',
    gap: theme.spacing(0.5),
  },
  note: { maxWidth: '32ch' },
}));

/**
 * commit → build → scan → environments, each step with a coloured status
 * (icon and text too) and the artifact that stands there. An environment's
 * status is the common verdict, the same the card and the fleet show.
 */
export function PipelineStrip(props: {
  state: EntityState;
  /** Promotions in flight (or just finished), by environment. */
  promotions?: Record<string, Promotion | undefined>;
}) {
  const classes = useStyles();
  const steps = pipelineSteps(props.state, props.promotions);
  return (
    <section aria-labelledby="slipway-pipeline-heading">
      <Typography
        id="slipway-pipeline-heading"
        variant="h6"
        component="h2"
        gutterBottom
      >
        Pipeline
      </Typography>
      <ol className={classes.list} aria-label="Delivery pipeline">
        {steps.map((step, index) => (
          <li
            key={step.id}
            className={classes.item}
            aria-label={`${step.name}: ${step.status}${
              step.artifact ? `, ${step.artifact}` : ''
            }${step.behind ? `, behind ${step.behind}` : ''}${
              step.behindBuild
                ? `, ${step.behindBuild.label.toLocaleLowerCase()}`
                : ''
            }${step.promotion ? `, ${step.promotion.status}` : ''}`}
          >
            {index > 0 && (
              <ArrowForward className={classes.arrow} aria-hidden="true" />
            )}
            <Paper
              variant="outlined"
              className={classes.step}
              data-testid={`pipeline-step-${step.id}`}
            >
              <Typography variant="body2" className={classes.name}>
                {step.name}
              </Typography>
              <StatusChip
                tone={step.tone}
                label={step.status}
                title={step.title}
              />
              <Typography
                variant="caption"
                color="textSecondary"
                title={step.artifactTitle}
              >
                {step.artifact ? <code>{step.artifact}</code> : '—'}
              </Typography>
              <div className={classes.badges}>
                {step.behind && (
                  <StatusChip
                    tone="warning"
                    label={`Behind ${step.behind}`}
                    title={step.behindTitle}
                  />
                )}
                {step.behindBuild && (
                  <StatusChip
                    tone="warning"
                    label={step.behindBuild.label}
                    title={step.behindBuild.title}
                  />
                )}
                {step.promotion && (
                  <StatusChip
                    tone={step.promotion.tone}
                    label={step.promotion.status}
                    title={step.promotion.detail}
                  />
                )}
                {step.note && (
                  <Typography
                    variant="caption"
                    color="textSecondary"
                    className={classes.note}
                  >
                    {step.note}
                  </Typography>
                )}
              </div>
            </Paper>
          </li>
        ))}
      </ol>
    </section>
  );
}
