import { makeStyles } from '@material-ui/core';

const useStyles = makeStyles({
  wordmark: {
    color: '#7df3e1',
    fontSize: 26,
    fontWeight: 700,
    letterSpacing: '0.02em',
    lineHeight: '30px',
    whiteSpace: 'nowrap',
  },
});

/** The Slipway wordmark in the open sidebar. */
export const LogoFull = () => {
  const classes = useStyles();
  return <span className={classes.wordmark}>Slipway</span>;
};
