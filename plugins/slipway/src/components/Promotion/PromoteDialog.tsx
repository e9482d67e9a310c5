import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
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
import {
  ArtifactState,
  EntityState,
  Promotion,
  PromotionPreview,
  PromotionRequest,
} from '@slipway/plugin-slipway-common';
import { useCallback, useMemo, useState } from 'react';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { useLiveQuery } from '../../hooks/useLiveQuery';
import { shortDigest, shortTag } from '../common/format';
import { LoadingSkeleton } from '../common/LoadingSkeleton';
import { StatusChip } from '../common/StatusChip';
import { useNow } from '../common/useNow';
import { ArtifactSummary } from './ArtifactSummary';
import { GateList } from './GateList';
import { OverlayDiff } from './OverlayDiff';
import { PromotionLive } from './PromotionLive';
import { newIdempotencyKey, verdictStatus } from './promotionStatus';

const UPSTREAM = 'upstream';

/** Distinct artifacts with a digest that the Deploy tab knows, and where each runs. */
function promotableArtifacts(
  state: EntityState,
): { artifact: ArtifactState; digest: string; environments: string[] }[] {
  const byDigest = new Map<
    string,
    { artifact: ArtifactState; digest: string; environments: string[] }
  >();
  for (const env of state.environments) {
    const digest = env.artifact?.image.digest ?? env.desired?.image?.digest;
    const artifact =
      env.artifact ?? (env.desired?.image && { image: env.desired.image });
    if (!digest || !artifact) continue;
    const entry = byDigest.get(digest) ?? {
      artifact,
      digest,
      environments: [],
    };
    entry.environments.push(env.environment);
    byDigest.set(digest, entry);
  }
  return [...byDigest.values()];
}

function knownArtifact(state: EntityState, digest: string) {
  return state.environments
    .map(env => env.artifact)
    .find(artifact => artifact?.image.digest === digest);
}

function PreviewBody(props: {
  preview: PromotionPreview;
  state: EntityState;
  now: number;
}) {
  const { preview, state, now } = props;
  const verdict = verdictStatus(preview.verdict);
  const current = preview.current;
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
      <section aria-labelledby="slipway-preview-artifact">
        <Typography
          id="slipway-preview-artifact"
          variant="subtitle1"
          component="h3"
        >
          Artifact
        </Typography>
        <ArtifactSummary
          artifact={preview.artifact}
          known={knownArtifact(state, preview.artifact.digest)}
          builds={state.builds}
        />
        <Typography variant="body2">
          Now in {preview.environment}:{' '}
          {current ? (
            <code title={current.digest ?? current.tag}>
              {shortTag(current.tag) ??
                shortDigest(current.digest) ??
                'unknown'}
            </code>
          ) : (
            'nothing set yet'
          )}
        </Typography>
      </section>
      <section aria-labelledby="slipway-preview-gates">
        <Box
          display="flex"
          alignItems="center"
          flexWrap="wrap"
          style={{ gap: 8 }}
        >
          <Typography
            id="slipway-preview-gates"
            variant="subtitle1"
            component="h3"
          >
            Gates
          </Typography>
          <StatusChip tone={verdict.tone} label={verdict.label} />
        </Box>
        <Typography variant="body2" gutterBottom>
          {verdict.sentence}
        </Typography>
        <GateList gates={preview.gates} now={now} />
      </section>
      <section aria-labelledby="slipway-preview-policy">
        <Typography
          id="slipway-preview-policy"
          variant="subtitle1"
          component="h3"
        >
          Policy and mode
        </Typography>
        <Typography variant="body2">
          {preview.policies.length > 0
            ? `Policies: ${preview.policies
                .map(p => `${p.name} version ${p.version}`)
                .join(', ')}.`
            : 'No policy applies to this environment.'}{' '}
          {preview.mode === 'pull-request'
            ? 'Written as a pull request in the GitOps repository; it deploys once merged.'
            : 'Written as a direct commit to the GitOps repository.'}
        </Typography>
      </section>
      <section aria-labelledby="slipway-preview-diff">
        <Typography
          id="slipway-preview-diff"
          variant="subtitle1"
          component="h3"
        >
          Change to {preview.overlay.path}
        </Typography>
        <OverlayDiff diff={preview.overlay.diff} path={preview.overlay.path} />
      </section>
    </Box>
  );
}

/**
 * Promote an artifact into an environment: a preview first (artifact, every
 * gate, policies, mode, the exact overlay diff), then, on confirmation, the
 * promotion's live timeline. Break-glass is offered only to users with the
 * override permission, and needs a reason.
 */
export function PromoteDialog(props: {
  entity: CompoundEntityRef;
  environment: string;
  /** The previous environment in promotion order, if any. */
  upstream?: string;
  state: EntityState;
  canOverride: boolean;
  onClose: () => void;
}) {
  const { entity, environment, upstream, state, canOverride, onClose } = props;
  const api = useApi(slipwayApiRef);
  const now = useNow(15_000);
  const artifacts = useMemo(() => promotableArtifacts(state), [state]);
  const [source, setSource] = useState<string>(
    upstream ? UPSTREAM : artifacts[0]?.digest ?? '',
  );
  const [breakGlass, setBreakGlass] = useState(false);
  const [reason, setReason] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<Error | undefined>();
  const [promotion, setPromotion] = useState<Promotion | undefined>();
  const [idempotencyKey] = useState(() => newIdempotencyKey('ui-promote'));

  let artifact: PromotionRequest['artifact'] | undefined;
  if (source === UPSTREAM) artifact = { from: 'upstream' };
  else if (source) artifact = { digest: source };
  const fetchPreview = useCallback(
    () =>
      artifact
        ? api.previewPromotion(entity, { environment, artifact })
        : Promise.reject(new Error('Choose an artifact to promote')),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, entity.kind, entity.namespace, entity.name, environment, source],
  );
  const preview = useLiveQuery(`${environment}|${source}`, fetchPreview);
  const titleId = `slipway-promote-${environment}-title`;
  const reasonMissing = breakGlass && !reason.trim();

  async function confirm() {
    if (!artifact || reasonMissing) return;
    setSubmitting(true);
    setSubmitError(undefined);
    try {
      setPromotion(
        await api.requestPromotion(entity, {
          environment,
          artifact: preview.value
            ? { digest: preview.value.artifact.digest }
            : artifact,
          idempotencyKey,
          ...(breakGlass ? { breakGlass: true, reason: reason.trim() } : {}),
        }),
      );
    } catch (error) {
      setSubmitError(error as Error);
    } finally {
      setSubmitting(false);
    }
  }

  const ready = preview.value?.verdict === 'ready';
  let confirmLabel = `Request promotion to ${environment}`;
  if (submitting) confirmLabel = 'Requesting…';
  else if (ready || breakGlass) confirmLabel = `Promote to ${environment}`;
  return (
    <Dialog
      open
      onClose={onClose}
      aria-labelledby={titleId}
      maxWidth="md"
      fullWidth
      scroll="paper"
    >
      <DialogTitle id={titleId}>
        {promotion
          ? `Promotion of ${entity.name} to ${environment}`
          : `Promote ${entity.name} to ${environment}`}
      </DialogTitle>
      <DialogContent dividers>
        {promotion ? (
          <PromotionLive initial={promotion} />
        ) : (
          <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
            <FormControl component="fieldset">
              <FormLabel component="legend">Artifact to promote</FormLabel>
              <RadioGroup
                name={`slipway-promote-${environment}-source`}
                value={source}
                onChange={event => setSource(event.target.value)}
              >
                {upstream && (
                  <FormControlLabel
                    value={UPSTREAM}
                    control={<Radio />}
                    label={`What runs in ${upstream}`}
                  />
                )}
                {artifacts.map(entry => (
                  <FormControlLabel
                    key={entry.digest}
                    value={entry.digest}
                    control={<Radio />}
                    label={`${
                      shortTag(entry.artifact.image.tag) ?? 'untagged'
                    } · ${shortDigest(
                      entry.digest,
                    )} (in ${entry.environments.join(', ')})`}
                  />
                ))}
              </RadioGroup>
              {!upstream && artifacts.length === 0 && (
                <Typography variant="body2" color="textSecondary">
                  No artifact with a digest is known yet: nothing to promote.
                </Typography>
              )}
            </FormControl>
            {preview.loading && (
              <LoadingSkeleton
                label="Loading the preview"
                rows={3}
                height={64}
              />
            )}
            {!preview.loading && preview.error && !preview.value && (
              <Alert severity="error">
                No preview: {preview.error.message}
              </Alert>
            )}
            {preview.value && (
              <PreviewBody preview={preview.value} state={state} now={now} />
            )}
            {canOverride && preview.value && (
              <Box>
                <FormControlLabel
                  control={
                    <Checkbox
                      checked={breakGlass}
                      onChange={event => setBreakGlass(event.target.checked)}
                    />
                  }
                  label="Break glass: execute past failing gates, windows and freezes (recorded and notified)"
                />
                {breakGlass && (
                  <TextField
                    id={`slipway-promote-${environment}-reason`}
                    label="Reason for break-glass"
                    required
                    fullWidth
                    multiline
                    minRows={2}
                    variant="outlined"
                    value={reason}
                    onChange={event => setReason(event.target.value)}
                    error={reasonMissing}
                    helperText={
                      reasonMissing
                        ? 'A break-glass promotion needs a reason'
                        : ' '
                    }
                  />
                )}
              </Box>
            )}
            {submitError && (
              <Alert severity="error">
                The promotion was not requested: {submitError.message}
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
              disabled={!preview.value || submitting || reasonMissing}
            >
              {confirmLabel}
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}
