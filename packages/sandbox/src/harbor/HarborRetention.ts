import { isoSeconds } from '../git/GitRepositories';
import { doublestarMatch } from './doublestar';
import type { HarborArtifactRecord, HarborRegistry } from './HarborRegistry';

/** Harbor's limit on rules per retention policy and immutability rules per project. */
const MAX_RULES = 15;

/** Rule templates the sandbox evaluates (Harbor has more; the others are refused). */
const TEMPLATES = ['always', 'latestPushedK', 'nDaysSinceLastPush'];

interface HarborSelector {
  kind?: string;
  decoration?: string;
  pattern?: string;
  extras?: string;
}

export interface HarborRule {
  id?: number;
  priority?: number;
  disabled?: boolean;
  action?: string;
  template?: string;
  params?: Record<string, unknown>;
  tag_selectors?: HarborSelector[];
  scope_selectors?: Record<string, HarborSelector[]>;
}

export interface HarborRetentionPolicy {
  id?: number;
  algorithm?: string;
  rules?: HarborRule[];
  trigger?: {
    kind?: string;
    settings?: Record<string, unknown>;
    references?: Record<string, unknown>;
  };
  scope?: { level?: string; ref?: number };
}

export interface RetentionTaskRecord {
  id: number;
  executionId: number;
  repository: string;
  total: number;
  retained: number;
  startTime: string;
  endTime: string;
  log: string;
  /** Digests the task deleted (or, in a dry run, would delete). */
  deleted: string[];
}

export interface RetentionExecutionRecord {
  id: number;
  policyId: number;
  dryRun: boolean;
  trigger: string;
  status: 'Succeed';
  startTime: string;
  endTime: string;
  tasks: RetentionTaskRecord[];
}

/** A request Harbor refuses, with the status and code it answers. */
export class HarborRequestError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

function bad(message: string): HarborRequestError {
  return new HarborRequestError(400, 'BAD_REQUEST', message);
}

function untaggedIncluded(selector: HarborSelector): boolean {
  try {
    return JSON.parse(selector.extras ?? '{}')?.untagged === true;
  } catch {
    return false;
  }
}

/** Harbor's tag selector: `matches` (some tag matches) or `excludes` (some tag does not). */
function tagSelected(artifact: HarborArtifactRecord, selector: HarborSelector) {
  if (artifact.tags.length === 0) return untaggedIncluded(selector);
  const pattern = selector.pattern ?? '**';
  const matches = (tag: string) => doublestarMatch(pattern, tag);
  return selector.decoration === 'excludes'
    ? artifact.tags.some(t => !matches(t.name))
    : artifact.tags.some(t => matches(t.name));
}

function repositorySelected(
  repository: string,
  selectors: HarborSelector[] | undefined,
): boolean {
  return (selectors ?? []).every(selector => {
    const matched = doublestarMatch(selector.pattern ?? '**', repository);
    return selector.decoration === 'repoExcludes' ? !matched : matched;
  });
}

function validateRule(rule: HarborRule, kind: 'retention' | 'immutable') {
  if (typeof rule !== 'object' || rule === null) throw bad('invalid rule');
  if (kind === 'retention') {
    if (rule.action !== 'retain') throw bad('rule action must be retain');
    if (!rule.template || !TEMPLATES.includes(rule.template)) {
      throw bad(`rule template ${rule.template} is not supported`);
    }
    if (rule.template !== 'always') {
      const value = Number(rule.params?.[rule.template]);
      if (!Number.isInteger(value) || value < 0) {
        throw bad(`rule ${rule.template} needs an integer parameter`);
      }
    }
  }
  const selectors = [
    ...(rule.tag_selectors ?? []),
    ...Object.values(rule.scope_selectors ?? {}).flat(),
  ];
  if ((rule.tag_selectors ?? []).length === 0) throw bad('no tag selector');
  for (const selector of selectors) {
    if (selector.kind !== 'doublestar')
      throw bad('selector kind must be doublestar');
    if (typeof selector.pattern !== 'string' || selector.pattern === '') {
      throw bad('selector pattern is empty');
    }
  }
}

/**
 * The sandbox's tag retention and tag immutability: one policy per project
 * (bound through the project's `retention_id`), executions that evaluate the
 * rules per repository (OR over rules) and delete what no rule retains,
 * except artifacts holding an immutable tag. Executions run at once.
 */
export class HarborRetention {
  private readonly policies = new Map<number, HarborRetentionPolicy>();
  private readonly policyOfProject = new Map<number, number>();
  private readonly executions: RetentionExecutionRecord[] = [];
  private readonly immutableRules = new Map<number, HarborRule[]>();
  private nextId = { policy: 1, execution: 1, task: 1, immutable: 1 };

  private constructor(
    private readonly registry: HarborRegistry,
    private readonly now: () => number,
  ) {}

  static create(registry: HarborRegistry, now: () => number = Date.now) {
    return new HarborRetention(registry, now);
  }

  retentionIdOf(projectId: number): number | undefined {
    return this.policyOfProject.get(projectId);
  }

  private projectOf(policy: HarborRetentionPolicy) {
    if (
      policy.scope?.level !== 'project' ||
      typeof policy.scope.ref !== 'number'
    )
      throw bad('policy scope must be a project');
    const project = this.registry.getProject(String(policy.scope.ref));
    if (!project) throw bad(`project ${policy.scope.ref} not found`);
    return project;
  }

  private validate(policy: HarborRetentionPolicy) {
    if (typeof policy !== 'object' || policy === null)
      throw bad('invalid policy');
    if (policy.algorithm !== 'or') throw bad('algorithm must be or');
    const rules = policy.rules ?? [];
    if (!Array.isArray(rules)) throw bad('rules must be a list');
    if (rules.length > MAX_RULES)
      throw bad(`a policy holds at most ${MAX_RULES} rules`);
    for (const rule of rules) validateRule(rule, 'retention');
    if (policy.trigger?.kind !== 'Schedule')
      throw bad('trigger kind must be Schedule');
    return this.projectOf(policy);
  }

  createPolicy(policy: HarborRetentionPolicy): number {
    const project = this.validate(policy);
    if (this.policyOfProject.has(project.id)) {
      throw bad(`project ${project.name} already has a retention policy`);
    }
    const id = this.nextId.policy++;
    this.policies.set(id, this.stored(id, policy));
    this.policyOfProject.set(project.id, id);
    return id;
  }

  getPolicy(id: number): HarborRetentionPolicy | undefined {
    return this.policies.get(id);
  }

  updatePolicy(id: number, policy: HarborRetentionPolicy): void {
    const existing = this.policies.get(id);
    if (!existing)
      throw new HarborRequestError(
        404,
        'NOT_FOUND',
        `retention ${id} not found`,
      );
    const project = this.validate(policy);
    if (this.policyOfProject.get(project.id) !== id) {
      throw bad('the policy scope cannot move to another project');
    }
    this.policies.set(id, this.stored(id, policy));
  }

  deletePolicy(id: number): void {
    const existing = this.policies.get(id);
    if (!existing)
      throw new HarborRequestError(
        404,
        'NOT_FOUND',
        `retention ${id} not found`,
      );
    this.policies.delete(id);
    for (const [projectId, policyId] of this.policyOfProject) {
      if (policyId === id) this.policyOfProject.delete(projectId);
    }
  }

  private stored(
    id: number,
    policy: HarborRetentionPolicy,
  ): HarborRetentionPolicy {
    const copy = JSON.parse(JSON.stringify(policy)) as HarborRetentionPolicy;
    copy.id = id;
    copy.rules = (copy.rules ?? []).map((rule, index) => ({
      ...rule,
      id: index + 1,
      priority: rule.priority ?? 0,
      disabled: rule.disabled ?? false,
    }));
    return copy;
  }

  listExecutions(policyId: number): RetentionExecutionRecord[] {
    return this.executions
      .filter(e => e.policyId === policyId)
      .sort((a, b) => b.id - a.id);
  }

  getExecution(policyId: number, executionId: number) {
    return this.executions.find(
      e => e.policyId === policyId && e.id === executionId,
    );
  }

  /** Runs the policy now: per repository of the project, retained or deleted. */
  execute(policyId: number, dryRun: boolean): RetentionExecutionRecord {
    const policy = this.policies.get(policyId);
    if (!policy)
      throw new HarborRequestError(
        404,
        'NOT_FOUND',
        `retention ${policyId} not found`,
      );
    const project = this.projectOf(policy);
    const startTime = isoSeconds(this.now());
    const execution: RetentionExecutionRecord = {
      id: this.nextId.execution++,
      policyId,
      dryRun,
      trigger: 'MANUAL',
      status: 'Succeed',
      startTime,
      endTime: startTime,
      tasks: [],
    };
    for (const repository of this.registry.listRepositories(project.name)) {
      const candidates = this.registry
        .listArtifacts(project.name, repository.name)
        .filter(a => !a.child);
      const retained = this.retainedBy(policy, repository.name, candidates);
      const immutable = new Set(
        candidates
          .filter(a => this.isImmutable(project.id, repository.name, a))
          .map(a => a.id),
      );
      const deleted = candidates.filter(
        a => !retained.has(a.id) && !immutable.has(a.id),
      );
      if (!dryRun) {
        for (const artifact of deleted)
          this.registry.deleteArtifact(artifact.id);
      }
      execution.tasks.push({
        id: this.nextId.task++,
        executionId: execution.id,
        repository: repository.name,
        total: candidates.length,
        retained: candidates.length - deleted.length,
        startTime,
        endTime: startTime,
        log: taskLog(candidates, new Set(deleted.map(a => a.id))),
        deleted: deleted.map(a => a.digest),
      });
    }
    this.executions.push(execution);
    return execution;
  }

  private retainedBy(
    policy: HarborRetentionPolicy,
    repository: string,
    candidates: HarborArtifactRecord[],
  ): Set<number> {
    const retained = new Set<number>();
    for (const rule of policy.rules ?? []) {
      if (rule.disabled) continue;
      if (!repositorySelected(repository, rule.scope_selectors?.repository))
        continue;
      const selected = candidates.filter(a =>
        (rule.tag_selectors ?? []).every(s => tagSelected(a, s)),
      );
      const param = Number(rule.params?.[rule.template ?? ''] ?? 0);
      let kept: HarborArtifactRecord[] = [];
      if (rule.template === 'always') kept = selected;
      else if (rule.template === 'latestPushedK') {
        kept = [...selected]
          .sort((a, b) => b.pushTime.localeCompare(a.pushTime) || b.id - a.id)
          .slice(0, param);
      } else if (rule.template === 'nDaysSinceLastPush') {
        const since = this.now() - param * 86_400_000;
        kept = selected.filter(a => Date.parse(a.pushTime) >= since);
      }
      for (const artifact of kept) retained.add(artifact.id);
    }
    return retained;
  }

  // --- immutability --------------------------------------------------------

  listImmutableRules(projectId: number): HarborRule[] {
    return this.immutableRules.get(projectId) ?? [];
  }

  createImmutableRule(projectId: number, rule: HarborRule): number {
    validateRule(rule, 'immutable');
    const rules = this.listImmutableRules(projectId);
    if (rules.length >= MAX_RULES)
      throw bad(`a project holds at most ${MAX_RULES} immutability rules`);
    const id = this.nextId.immutable++;
    this.immutableRules.set(projectId, [
      ...rules,
      {
        ...rule,
        id,
        action: 'immutable',
        template: 'immutable_template',
        disabled: rule.disabled ?? false,
        priority: rule.priority ?? 0,
      },
    ]);
    return id;
  }

  updateImmutableRule(projectId: number, id: number, rule: HarborRule): void {
    const rules = this.listImmutableRules(projectId);
    const index = rules.findIndex(r => r.id === id);
    if (index < 0)
      throw new HarborRequestError(
        404,
        'NOT_FOUND',
        `immutable rule ${id} not found`,
      );
    const merged = { ...rules[index], ...rule, id };
    validateRule(merged, 'immutable');
    rules[index] = merged;
  }

  deleteImmutableRule(projectId: number, id: number): void {
    const rules = this.listImmutableRules(projectId);
    if (!rules.some(r => r.id === id))
      throw new HarborRequestError(
        404,
        'NOT_FOUND',
        `immutable rule ${id} not found`,
      );
    this.immutableRules.set(
      projectId,
      rules.filter(r => r.id !== id),
    );
  }

  /** True when the tag is immutable under the project's enabled rules. */
  isImmutableTag(projectId: number, repository: string, tag: string): boolean {
    return this.listImmutableRules(projectId).some(
      rule =>
        !rule.disabled &&
        repositorySelected(repository, rule.scope_selectors?.repository) &&
        (rule.tag_selectors ?? []).every(selector => {
          const matched = doublestarMatch(selector.pattern ?? '**', tag);
          return selector.decoration === 'excludes' ? !matched : matched;
        }),
    );
  }

  private isImmutable(
    projectId: number,
    repository: string,
    artifact: HarborArtifactRecord,
  ): boolean {
    return artifact.tags.some(t =>
      this.isImmutableTag(projectId, repository, t.name),
    );
  }
}

/** The task log as Harbor's retention job writes it: one table row per artifact. */
function taskLog(
  candidates: HarborArtifactRecord[],
  deleted: Set<number>,
): string {
  const header = [
    'Digest',
    'Tag',
    'Kind',
    'Labels',
    'PushedTime',
    'PulledTime',
    'CreatedTime',
    'Retention',
  ];
  const rows = candidates.map(a => [
    a.digest,
    a.tags.map(t => t.name).join(','),
    'image',
    '',
    a.pushTime,
    '',
    a.pushTime,
    deleted.has(a.id) ? 'DEL' : 'RETAIN',
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
