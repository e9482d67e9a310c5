import Chip from '@material-ui/core/Chip';
import { makeStyles, Theme } from '@material-ui/core/styles';
import CheckCircle from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import HelpOutline from '@material-ui/icons/HelpOutline';
import Autorenew from '@material-ui/icons/Autorenew';
import Warning from '@material-ui/icons/Warning';
import { Tone } from './status';

const useStyles = makeStyles((theme: Theme) => ({
  ok: {
    color: theme.palette.type === 'dark' ? '#a5d6a7' : '#1b5e20',
    borderColor: theme.palette.type === 'dark' ? '#a5d6a7' : '#2e7d32',
  },
  warning: {
    color: theme.palette.type === 'dark' ? '#ffcc80' : '#8a4b00',
    borderColor: theme.palette.type === 'dark' ? '#ffcc80' : '#b26a00',
  },
  error: {
    color: theme.palette.type === 'dark' ? '#ef9a9a' : '#b71c1c',
    borderColor: theme.palette.type === 'dark' ? '#ef9a9a' : '#c62828',
  },
  progress: {
    color: theme.palette.type === 'dark' ? '#90caf9' : '#0d47a1',
    borderColor: theme.palette.type === 'dark' ? '#90caf9' : '#1565c0',
  },
  unknown: {
    color: theme.palette.text.secondary,
    borderColor: theme.palette.divider,
  },
  icon: { color: 'inherit !important' },
}));

function ToneIcon({ tone }: { tone: Tone }) {
  const props = { fontSize: 'small' as const, 'aria-hidden': true };
  switch (tone) {
    case 'ok':
      return <CheckCircle {...props} />;
    case 'warning':
      return <Warning {...props} />;
    case 'error':
      return <ErrorIcon {...props} />;
    case 'progress':
      return <Autorenew {...props} />;
    default:
      return <HelpOutline {...props} />;
  }
}

/**
 * A status shown with colour, an icon and text, so it never relies on
 * colour alone. `data-tone` lets tests check that nothing unknown is green.
 */
export function StatusChip(props: {
  tone: Tone;
  label: string;
  title?: string;
}) {
  const classes = useStyles();
  const { tone, label, title } = props;
  return (
    <Chip
      size="small"
      variant="outlined"
      className={classes[tone]}
      classes={{ icon: classes.icon }}
      icon={<ToneIcon tone={tone} />}
      label={label}
      title={title}
      data-tone={tone}
    />
  );
}
