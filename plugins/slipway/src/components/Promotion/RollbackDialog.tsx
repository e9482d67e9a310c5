import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormLabel from '@material-ui/core/FormLabel';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { Promotion, rollbackTargets } from '@slipway/plugin-slipway-common';
import { useCallback, useState } from 'react';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { useLiveQuery } from '../../hooks/useLiveQuery';
import { relativeTime, shortDigest, shortTag } from '../common/format';
import { LoadingSkeleton } from '../common/LoadingSkeleton';
import { useNow } from '../common/useNow';
import { PromotionLive } from './PromotionLive';
import { newIdempotencyKey } from './promotionStatus';

const HISTORY_DEPTH = 50;

/**
 * Roll an environment back to a digest from its history, with a required
 * reason. A rollback is a new commit (never a rewrite); its timeline shows
 * live once requested.
 */
export function RollbackDialog(props: {
  entity: CompoundEntityRef;
  environment: string;
  currentDigest?: string;
  onClose: () => void;
}) {
  const { entity, environment, currentDigest, onClose } = props;
  const api = useApi(slipwayApiRef);
  const now = useNow(15_000);
  const fetchHistory = useCallback(
    () => api.getEntityHistory(entity, { environment, limit: HISTORY_DEPTH }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, entity.kind, entity.namespace, entity.name, environment],
  );
  const history = useLiveQuery(`rollback|${environment}`, fetchHistory);
  const [digest, setDigest] = useState('');
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<Error | undefined>();
  const [promotion, setPromotion] = useState<Promotion | undefined>();
  const [idempotencyKey] = useState(() => newIdempotencyKey('ui-rollback'));
  const titleId = `slipway-rollback-${environment}-title`;
  const targets = history.value
    ? rollbackTargets(history.value.items, currentDigest)
    : [];
  const chosen = digest || targets[0]?.image?.digest || '';
  const reasonMissing = !reason.trim();

  async function confirm() {
    setTouched(true);
    if (!chosen || reasonMissing) return;
    setSubmitting(true);
    setSubmitError(undefined);
    try {
      setPromotion(
        await api.requestRollback(entity, {
          environment,
          digest: chosen,
          reason: reason.trim(),
          idempotencyKey,
        }),
      );
    } catch (error) {
      setSubmitError(error as Error);
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <Dialog
      open
      onClose={onClose}
      aria-labelledby={titleId}
      maxWidth="sm"
      fullWidth
      scroll="paper"
    >
      <DialogTitle id={titleId}>
        {promotion
          ? `Rollback of ${entity.name} in ${environment}`
          : `Roll back ${entity.name} in ${environment}`}
      </DialogTitle>
      <DialogContent dividers>
        {promotion ? (
          <PromotionLive initial={promotion} />
        ) : (
          <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
            <Typography variant="body2">
              A rollback writes a new commit that sets an earlier digest; the
              history is never rewritten. The gates of {environment} still
              apply.
            </Typography>
            {history.loading && (
              <LoadingSkeleton
                label={`Loading the history of ${environment}`}
                rows={3}
              />
            )}
            {!history.loading && history.error && !history.value && (
              <Alert severity="error">
                The history of {environment} could not be read:{' '}
                {history.error.message}
              </Alert>
            )}
            {history.value &&
              history.value.sources.some(s => s.status !== 'ok') && (
                <Alert severity="warning">
                  Part of the history is missing (
                  {history.value.sources
                    .filter(s => s.status !== 'ok')
                    .map(s => `${s.source}: ${s.status}`)
                    .join(', ')}
                  ).
                </Alert>
              )}
            {history.value && targets.length === 0 && (
              <Typography variant="body2" color="textSecondary">
                No earlier digest in the history of {environment}: nothing to
                roll back to.
              </Typography>
            )}
            {targets.length > 0 && (
              <FormControl component="fieldset">
                <FormLabel component="legend">Roll back to</FormLabel>
                <RadioGroup
                  name={`slipway-rollback-${environment}-digest`}
                  value={chosen}
                  onChange={event => setDigest(event.target.value)}
                >
                  {targets.map(item => (
                    <FormControlLabel
                      key={item.image!.digest}
                      value={item.image!.digest}
                      control={<Radio />}
                      label={`${
                        shortTag(item.image?.tag) ?? 'untagged'
                      } · ${shortDigest(item.image?.digest)}, ${relativeTime(
                        item.at,
                        now,
                      )}${item.message ? ` (${item.message})` : ''}`}
                    />
                  ))}
                </RadioGroup>
              </FormControl>
            )}
            {targets.length > 0 && (
              <TextField
                id={`slipway-rollback-${environment}-reason`}
                label="Reason for the rollback"
                required
                fullWidth
                multiline
                minRows={2}
                variant="outlined"
                value={reason}
                onChange={event => setReason(event.target.value)}
                onBlur={() => setTouched(true)}
                error={touched && reasonMissing}
                helperText={
                  touched && reasonMissing
                    ? 'A rollback needs a reason'
                    : 'Recorded with the rollback and in the commit'
                }
              />
            )}
            {submitError && (
              <Alert severity="error">
                The rollback was not requested: {submitError.message}
              </Alert>
            )}
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        {promotion ? (
          <Button onClick={onClose} color="primary" variant="contained">
            Close
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>Cancel</Button>
            <Button
              onClick={confirm}
              color="primary"
              variant="contained"
              disabled={!chosen || submitting}
            >
              {submitting ? 'Requesting…' : `Roll back ${environment}`}
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}
