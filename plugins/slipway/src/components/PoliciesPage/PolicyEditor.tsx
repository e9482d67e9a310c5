import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import IconButton from '@material-ui/core/IconButton';
import Paper from '@material-ui/core/Paper';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import DeleteIcon from '@material-ui/icons/Delete';
import Alert from '@material-ui/lab/Alert';
import {
  isDnsLabel,
  PolicyGate,
  PromotionPolicy,
  PromotionPolicyVersion,
} from '@slipway/plugin-slipway-common';
import { ReactNode, useEffect, useMemo, useState } from 'react';
import { parse } from 'yaml';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import {
  defaultGate,
  draftOf,
  EnvironmentDraft,
  FieldIssue,
  GATE_TYPES,
  nextKey,
  PolicyDraft,
  policyOf,
  policyYaml,
  validateDraft,
} from './policyForm';
import { MatchPreview } from './PoliciesList';
import { matchingEntities, useSelectableEntities } from './usePolicyData';

const EMPTY_POLICY: PromotionPolicy = {
  selector: { kinds: ['component'] },
  environments: {},
};

type Issues = (field: string) => string | undefined;

function issuesAt(issues: FieldIssue[]): Issues {
  const byField = new Map<string, string[]>();
  for (const issue of issues) {
    byField.set(issue.field, [
      ...(byField.get(issue.field) ?? []),
      issue.message,
    ]);
  }
  return field => byField.get(field)?.join('; ');
}

/** A text box for a list of values, comma separated; keeps what is typed. */
function ListField(props: {
  id: string;
  label: string;
  helperText: string;
  value: string[] | undefined;
  error?: string;
  onChange(value: string[] | undefined): void;
}) {
  const { id, label, helperText, value, error, onChange } = props;
  const joined = (value ?? []).join(', ');
  const [text, setText] = useState(joined);
  useEffect(() => {
    setText(current =>
      split(current).join(', ') === joined ? current : joined,
    );
  }, [joined]);
  return (
    <TextField
      id={id}
      label={label}
      value={text}
      onChange={event => {
        setText(event.target.value);
        const items = split(event.target.value);
        onChange(items.length ? items : undefined);
      }}
      error={!!error}
      helperText={error ?? helperText}
      variant="outlined"
      size="small"
      fullWidth
      margin="dense"
    />
  );
}

function split(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map(item => item.trim())
    .filter(Boolean);
}

function numberValue(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  // Keep what was typed when it is no number: the schema says so at the field.
  return Number.isFinite(value) ? value : (text as unknown as number);
}

function NumberField(props: {
  id: string;
  label: string;
  value: number | undefined;
  error?: string;
  helperText?: string;
  onChange(value: number | undefined): void;
}) {
  const { id, label, value, error, helperText, onChange } = props;
  return (
    <TextField
      id={id}
      label={label}
      value={value === undefined ? '' : String(value)}
      onChange={event => onChange(numberValue(event.target.value))}
      error={!!error}
      helperText={error ?? helperText}
      variant="outlined"
      size="small"
      margin="dense"
      inputProps={{ inputMode: 'numeric' }}
      style={{ marginRight: 8, width: 160 }}
    />
  );
}

function PlainField(props: {
  id: string;
  label: string;
  value: string | undefined;
  error?: string;
  helperText?: string;
  onChange(value: string): void;
  width?: number;
}) {
  const { id, label, value, error, helperText, onChange, width } = props;
  return (
    <TextField
      id={id}
      label={label}
      value={value ?? ''}
      onChange={event => onChange(event.target.value)}
      error={!!error}
      helperText={error ?? helperText}
      variant="outlined"
      size="small"
      margin="dense"
      style={{ marginRight: 8, width: width ?? 260 }}
    />
  );
}

/** The fields of one gate, by type. */
function GateFields(props: {
  id: string;
  field: string;
  gate: PolicyGate;
  issues: Issues;
  onChange(gate: PolicyGate): void;
}) {
  const { id, field, gate, issues, onChange } = props;
  const at = (name: string) => issues(`${field}.${name}`);
  const set = (patch: Record<string, unknown>) =>
    onChange({ ...gate, ...patch } as PolicyGate);
  switch (gate.type) {
    case 'scan':
      return (
        <Box display="flex" flexWrap="wrap">
          {(
            [
              ['maxCritical', 'Max critical'],
              ['maxHigh', 'Max high'],
              ['maxMedium', 'Max medium'],
              ['maxLow', 'Max low'],
              ['maxUnknown', 'Max unknown'],
            ] as const
          ).map(([name, label]) => (
            <NumberField
              key={name}
              id={`${id}-${name}`}
              label={label}
              value={gate[name]}
              error={at(name)}
              onChange={value => set({ [name]: value })}
            />
          ))}
        </Box>
      );
    case 'signature':
      return (
        <Box display="flex" flexWrap="wrap">
          <PlainField
            id={`${id}-identity`}
            label="Signer identity"
            value={gate.identity}
            error={at('identity')}
            onChange={value => set({ identity: value })}
          />
          <PlainField
            id={`${id}-issuer`}
            label="Issuer URL"
            value={gate.issuer}
            error={at('issuer')}
            onChange={value => set({ issuer: value })}
          />
        </Box>
      );
    case 'soak':
      return (
        <Box display="flex" flexWrap="wrap">
          <PlainField
            id={`${id}-upstream`}
            label="Upstream environment"
            value={gate.upstream}
            error={at('upstream')}
            onChange={value => set({ upstream: value })}
            width={200}
          />
          <NumberField
            id={`${id}-minutes`}
            label="Minutes healthy"
            value={gate.minutes}
            error={at('minutes')}
            onChange={value => set({ minutes: value })}
          />
        </Box>
      );
    case 'approvals':
      return (
        <Box display="flex" flexWrap="wrap" alignItems="flex-start">
          <NumberField
            id={`${id}-count`}
            label="Approvals needed"
            value={gate.count}
            error={at('count')}
            onChange={value => set({ count: value })}
          />
          <Box flex={1} minWidth={260}>
            <ListField
              id={`${id}-groups`}
              label="From groups"
              helperText="Entity references, e.g. group:default/platform-admins"
              value={gate.groups}
              error={at('groups')}
              onChange={value => set({ groups: value ?? [] })}
            />
          </Box>
        </Box>
      );
    case 'deploy-window':
      return (
        <Box>
          <PlainField
            id={`${id}-timeZone`}
            label="Time zone"
            value={gate.timeZone}
            error={at('timeZone')}
            helperText="IANA, e.g. Europe/Berlin"
            onChange={value => set({ timeZone: value })}
          />
          {(['allow', 'deny'] as const).map(kind => (
            <Box key={kind} mt={1}>
              <Typography variant="body2">
                {kind === 'allow' ? 'Allowed windows' : 'Denied windows'}
              </Typography>
              {issues(`${field}.${kind}`) && (
                <Typography variant="body2" color="error">
                  {issues(`${field}.${kind}`)}
                </Typography>
              )}
              {(gate[kind] ?? []).map((window, index) => {
                const windowField = `${kind}.${index}`;
                const update = (patch: Partial<typeof window>) => {
                  const next = [...(gate[kind] ?? [])];
                  next[index] = { ...window, ...patch };
                  set({ [kind]: next });
                };
                return (
                  <Box
                    key={index}
                    display="flex"
                    flexWrap="wrap"
                    alignItems="flex-start"
                  >
                    <Box width={260} mr={1}>
                      <ListField
                        id={`${id}-${kind}-${index}-days`}
                        label="Days"
                        helperText="mon, tue, wed, thu, fri, sat, sun"
                        value={window.days}
                        error={at(`${windowField}.days`)}
                        onChange={value =>
                          update({ days: (value ?? []) as typeof window.days })
                        }
                      />
                    </Box>
                    <PlainField
                      id={`${id}-${kind}-${index}-start`}
                      label="From (HH:MM)"
                      value={window.start}
                      error={at(`${windowField}.start`)}
                      onChange={value => update({ start: value })}
                      width={130}
                    />
                    <PlainField
                      id={`${id}-${kind}-${index}-end`}
                      label="To (HH:MM)"
                      value={window.end}
                      error={at(`${windowField}.end`)}
                      onChange={value => update({ end: value })}
                      width={130}
                    />
                    <IconButton
                      aria-label={`Remove ${kind} window ${index + 1}`}
                      onClick={() => {
                        const next = (gate[kind] ?? []).filter(
                          (_, i) => i !== index,
                        );
                        set({
                          [kind]:
                            kind === 'deny' && next.length === 0
                              ? undefined
                              : next,
                        });
                      }}
                    >
                      <DeleteIcon />
                    </IconButton>
                  </Box>
                );
              })}
              <Button
                size="small"
                onClick={() =>
                  set({
                    [kind]: [
                      ...(gate[kind] ?? []),
                      { days: ['mon'], start: '09:00', end: '17:00' },
                    ],
                  })
                }
              >
                Add {kind === 'allow' ? 'allowed' : 'denied'} window
              </Button>
            </Box>
          ))}
        </Box>
      );
    case 'verification':
      return (
        <Box display="flex" flexWrap="wrap">
          <PlainField
            id={`${id}-check`}
            label="Check"
            value={gate.check}
            error={at('check')}
            helperText="Reported as slipway/verify/<environment>/<check>, e.g. smoke or k6"
            onChange={value => set({ check: value })}
            width={200}
          />
          <PlainField
            id={`${id}-environment`}
            label="Passed in environment"
            value={gate.environment}
            error={at('environment')}
            helperText="Empty: the environment the promotion comes from"
            onChange={value => set({ environment: value || undefined })}
            width={260}
          />
        </Box>
      );
    case 'freeze':
      return (
        <PlainField
          id={`${id}-reason`}
          label="Reason"
          value={gate.reason}
          error={at('reason')}
          onChange={value => set({ reason: value })}
          width={420}
        />
      );
    default:
      return null;
  }
}

function EnvironmentFields(props: {
  index: number;
  entry: EnvironmentDraft;
  issues: Issues;
  environmentNames: string[];
  onChange(entry: EnvironmentDraft): void;
  onRemove(): void;
}) {
  const { index, entry, issues, environmentNames, onChange, onRemove } = props;
  const field = `environments.${index}`;
  const id = `policy-environment-${index}`;
  const rule = entry.rule;
  const setRule = (patch: Partial<typeof rule>) =>
    onChange({ ...entry, rule: { ...rule, ...patch } });
  const upstream =
    environmentNames[Math.max(0, environmentNames.indexOf(entry.name) - 1)] ??
    'dev';
  return (
    <Paper
      variant="outlined"
      style={{ padding: 16, marginBottom: 16 }}
      role="group"
      aria-label={`Environment ${entry.name || index + 1}`}
    >
      <Box display="flex" flexWrap="wrap" alignItems="flex-start">
        <PlainField
          id={`${id}-name`}
          label="Environment"
          value={entry.name}
          error={issues(`${field}.name`)}
          helperText={
            environmentNames.length
              ? `Configured: ${environmentNames.join(', ')}`
              : undefined
          }
          onChange={value => onChange({ ...entry, name: value })}
          width={200}
        />
        <TextField
          select
          id={`${id}-mode`}
          label="Mode"
          value={rule.mode}
          onChange={event =>
            setRule({ mode: event.target.value as typeof rule.mode })
          }
          SelectProps={{ native: true }}
          variant="outlined"
          size="small"
          margin="dense"
          style={{ marginRight: 8, width: 180 }}
        >
          <option value="direct">Direct commit</option>
          <option value="pull-request">Pull request</option>
        </TextField>
        <FormControlLabel
          control={
            <Checkbox
              checked={!!rule.autoPromote}
              onChange={event =>
                setRule({ autoPromote: event.target.checked || undefined })
              }
            />
          }
          label="Auto-promote"
        />
        <FormControlLabel
          control={
            <Checkbox
              checked={!!rule.sync}
              onChange={event =>
                setRule({ sync: event.target.checked || undefined })
              }
            />
          }
          label="Sync Argo CD after commit"
        />
        <Box flex={1} />
        <Button onClick={onRemove} startIcon={<DeleteIcon />}>
          Remove {entry.name || 'environment'}
        </Button>
      </Box>
      <Typography variant="subtitle2" style={{ marginTop: 8 }}>
        Gates
      </Typography>
      {rule.gates.length === 0 && (
        <Typography variant="body2" color="textSecondary">
          No gates: promotions into {entry.name || 'this environment'} pass at
          once.
        </Typography>
      )}
      {rule.gates.map((gate, gateIndex) => {
        const gateId = `${id}-gate-${gateIndex}`;
        const gateField = `${field}.gates.${gateIndex}`;
        const replace = (next: PolicyGate | undefined) =>
          setRule({
            gates: next
              ? rule.gates.map((g, i) => (i === gateIndex ? next : g))
              : rule.gates.filter((_, i) => i !== gateIndex),
          });
        return (
          <Box
            key={gateIndex}
            borderLeft={3}
            borderColor="divider"
            pl={2}
            mt={1}
            role="group"
            aria-label={`Gate ${gateIndex + 1} of ${
              entry.name || 'environment'
            }`}
          >
            <Box display="flex" alignItems="flex-start">
              <TextField
                select
                id={`${gateId}-type`}
                label={`Gate ${gateIndex + 1} type`}
                value={gate.type}
                onChange={event =>
                  replace(
                    defaultGate(
                      event.target.value as PolicyGate['type'],
                      upstream,
                    ),
                  )
                }
                SelectProps={{ native: true }}
                variant="outlined"
                size="small"
                margin="dense"
                error={!!issues(gateField)}
                helperText={issues(gateField)}
                style={{ marginRight: 8, width: 300 }}
              >
                {GATE_TYPES.map(option => (
                  <option key={option.type} value={option.type}>
                    {option.label}
                  </option>
                ))}
              </TextField>
              <IconButton
                aria-label={`Remove gate ${gateIndex + 1} of ${
                  entry.name || 'environment'
                }`}
                onClick={() => replace(undefined)}
              >
                <DeleteIcon />
              </IconButton>
            </Box>
            <GateFields
              id={gateId}
              field={gateField}
              gate={gate}
              issues={issues}
              onChange={replace}
            />
          </Box>
        );
      })}
      <Button
        size="small"
        color="primary"
        style={{ marginTop: 8 }}
        onClick={() =>
          setRule({ gates: [...rule.gates, defaultGate('ci-passed')] })
        }
      >
        Add gate to {entry.name || 'environment'}
      </Button>
    </Paper>
  );
}

/** The YAML of the draft; edits that parse replace the form's state. */
function YamlView(props: {
  draft: PolicyDraft;
  onChange(draft: PolicyDraft): void;
}) {
  const { draft, onChange } = props;
  const [text, setText] = useState(() => policyYaml(policyOf(draft)));
  const [parseError, setParseError] = useState<string | undefined>();
  return (
    <TextField
      id="policy-yaml"
      label="Policy as YAML"
      multiline
      minRows={16}
      value={text}
      onChange={event => {
        setText(event.target.value);
        try {
          const parsed = parse(event.target.value);
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
            setParseError('The policy must be a YAML mapping');
            return;
          }
          setParseError(undefined);
          onChange(
            draftOf({
              selector: {},
              environments: {},
              ...parsed,
            } as PromotionPolicy),
          );
        } catch (error) {
          setParseError((error as Error).message);
        }
      }}
      error={!!parseError}
      helperText={
        parseError ??
        'Changes that parse as YAML update the form; problems are listed above.'
      }
      variant="outlined"
      fullWidth
      InputProps={{ style: { fontFamily: 'monospace', fontSize: 13 } }}
    />
  );
}

function isConflict(error: unknown): boolean {
  return error instanceof ResponseError
    ? error.statusCode === 409
    : (error as { name?: string })?.name === 'ConflictError';
}

/**
 * Creates or edits a policy: a form validated as you type with the policy
 * schema, a YAML view for experts, and a required change note. Every save
 * is a new version; a stale version is refused (409) and the editor says so.
 */
export function PolicyEditor(props: {
  /** The version edited; undefined for a new policy. */
  current?: PromotionPolicyVersion;
  environmentNames: string[];
  onSaved(version: PromotionPolicyVersion): void;
  onCancel(): void;
  onReload?(): void;
}) {
  const { current, environmentNames, onSaved, onCancel, onReload } = props;
  const api = useApi(slipwayApiRef);
  const [name, setName] = useState(current?.name ?? '');
  const [draft, setDraft] = useState<PolicyDraft>(() =>
    draftOf(current?.policy ?? EMPTY_POLICY),
  );
  const [note, setNote] = useState('');
  const [view, setView] = useState<'form' | 'yaml'>('form');
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<
    { conflict: boolean; message: string } | undefined
  >();
  const [touched, setTouched] = useState(false);

  const issues = useMemo(() => validateDraft(draft), [draft]);
  const at = useMemo(() => issuesAt(issues), [issues]);
  const nameError =
    current || name === '' || isDnsLabel(name)
      ? undefined
      : 'must be a DNS-1123 label: lower-case letters, digits and -';
  const policy = useMemo(() => policyOf(draft), [draft]);
  const kinds = useMemo(() => policy.selector.kinds ?? [], [policy]);
  const entities = useSelectableEntities(kinds);

  const update = (next: PolicyDraft) => {
    setDraft(next);
    setTouched(true);
  };
  const setSelector = (patch: Partial<PromotionPolicy['selector']>) =>
    update({ ...draft, selector: { ...draft.selector, ...patch } });

  const canSave =
    !saving &&
    issues.length === 0 &&
    !nameError &&
    name !== '' &&
    note.trim() !== '';

  const save = async () => {
    setSaving(true);
    setSaveError(undefined);
    try {
      const saved = await api.savePolicy(name, {
        policy,
        expectedVersion: current?.version ?? 0,
        comment: note.trim(),
      });
      onSaved(saved);
    } catch (error) {
      setSaveError({
        conflict: isConflict(error),
        message: (error as Error).message,
      });
    } finally {
      setSaving(false);
    }
  };

  const unusedEnvironment =
    environmentNames.find(
      envName => !draft.environments.some(e => e.name === envName),
    ) ?? '';

  let content: ReactNode;
  if (view === 'yaml') {
    content = <YamlView draft={draft} onChange={update} />;
  } else {
    content = (
      <>
        <Typography variant="h6" component="h3">
          What it applies to
        </Typography>
        <PlainField
          id="policy-description"
          label="Description"
          value={draft.description}
          error={at('description')}
          onChange={value =>
            update({ ...draft, description: value || undefined })
          }
          width={640}
        />
        <Typography variant="body2" color="textSecondary">
          Every list that is set must contain the entity's value; leave all
          empty to select every entity.
        </Typography>
        <Box
          display="grid"
          gridTemplateColumns="1fr 1fr"
          style={{ columnGap: 16 }}
        >
          <ListField
            id="policy-selector-kinds"
            label="Kinds"
            helperText="e.g. component"
            value={draft.selector.kinds}
            error={at('selector.kinds')}
            onChange={value => setSelector({ kinds: value })}
          />
          <ListField
            id="policy-selector-owners"
            label="Owners"
            helperText="e.g. group:default/team-payments"
            value={draft.selector.owners}
            error={at('selector.owners')}
            onChange={value => setSelector({ owners: value })}
          />
          <ListField
            id="policy-selector-systems"
            label="Systems"
            helperText="e.g. system:default/commerce"
            value={draft.selector.systems}
            error={at('selector.systems')}
            onChange={value => setSelector({ systems: value })}
          />
          <ListField
            id="policy-selector-entities"
            label="Entities"
            helperText="e.g. component:default/payments-api"
            value={draft.selector.entities}
            error={at('selector.entities')}
            onChange={value => setSelector({ entities: value })}
          />
        </Box>
        <Box my={1} aria-live="polite">
          <Typography variant="body2" component="span">
            Matches now:{' '}
          </Typography>
          <MatchPreview
            loading={entities.loading}
            error={entities.error}
            matches={entities.value && matchingEntities(policy, entities.value)}
          />
        </Box>
        <Typography variant="h6" component="h3" style={{ marginTop: 16 }}>
          Environments
        </Typography>
        {draft.environments.length === 0 && (
          <Typography variant="body2" color="textSecondary" paragraph>
            No environments: the policy applies nowhere (a retired policy).
          </Typography>
        )}
        {draft.environments.map((entry, index) => (
          <EnvironmentFields
            key={entry.key}
            index={index}
            entry={entry}
            issues={at}
            environmentNames={environmentNames}
            onChange={next =>
              update({
                ...draft,
                environments: draft.environments.map((e, i) =>
                  i === index ? next : e,
                ),
              })
            }
            onRemove={() =>
              update({
                ...draft,
                environments: draft.environments.filter((_, i) => i !== index),
              })
            }
          />
        ))}
        <Button
          variant="outlined"
          onClick={() =>
            update({
              ...draft,
              environments: [
                ...draft.environments,
                {
                  key: nextKey(),
                  name: unusedEnvironment,
                  rule: { mode: 'direct', gates: [] },
                },
              ],
            })
          }
        >
          Add environment
        </Button>
      </>
    );
  }

  return (
    <Paper style={{ padding: 24 }}>
      <form
        aria-label={current ? `Edit policy ${current.name}` : 'New policy'}
        onSubmit={event => {
          event.preventDefault();
          if (canSave) save();
        }}
      >
        <Typography variant="h5" component="h2" gutterBottom>
          {current
            ? `Edit ${current.name} (from version ${current.version})`
            : 'New policy'}
        </Typography>
        {!current && (
          <PlainField
            id="policy-name"
            label="Name"
            value={name}
            error={nameError}
            helperText="Lower-case letters, digits and -; cannot change later"
            onChange={value => {
              setName(value);
              setTouched(true);
            }}
          />
        )}
        <Tabs
          value={view}
          onChange={(_, value) => setView(value)}
          aria-label="Editor view"
          indicatorColor="primary"
        >
          <Tab label="Form" value="form" />
          <Tab label="YAML" value="yaml" />
        </Tabs>
        {issues.length > 0 && (touched || current) && (
          <Alert severity="error" role="alert" style={{ margin: '16px 0' }}>
            {issues.length === 1
              ? '1 problem to fix'
              : `${issues.length} problems to fix`}
            :
            <ul style={{ margin: 0 }}>
              {issues.map((issue, index) => (
                <li key={index}>
                  <code>{issue.field}</code>: {issue.message}
                </li>
              ))}
            </ul>
          </Alert>
        )}
        <Box mt={2}>{content}</Box>
        <Box mt={3}>
          <TextField
            id="policy-note"
            label="Change note (required)"
            value={note}
            onChange={event => setNote(event.target.value)}
            required
            fullWidth
            variant="outlined"
            helperText="Why this change: kept with the version in the history"
          />
        </Box>
        {saveError && (
          <Alert
            severity="error"
            role="alert"
            style={{ marginTop: 16 }}
            action={
              saveError.conflict && onReload ? (
                <Button color="inherit" size="small" onClick={onReload}>
                  Reload
                </Button>
              ) : undefined
            }
          >
            {saveError.conflict
              ? 'Someone else saved this policy first. Reload to see their version, then make your change again.'
              : `Could not save: ${saveError.message}`}
          </Alert>
        )}
        <Box mt={2} display="flex" style={{ gap: 8 }}>
          <Button
            type="submit"
            variant="contained"
            color="primary"
            disabled={!canSave}
          >
            {saving ? 'Saving…' : 'Save new version'}
          </Button>
          <Button onClick={onCancel}>Cancel</Button>
        </Box>
      </form>
    </Paper>
  );
}
