import {
  AuthService,
  BackstageCredentials,
  CacheService,
  LoggerService,
  PermissionsService,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EntityState,
  HistoryPage,
  ImageRef,
  parseImageReference,
  ProtectedImage,
  protectedDigests,
  RetentionEntityFacts,
  RetentionProjectReport,
  RetentionReport,
  slipwayRetentionReadPermission,
  SLIPWAY_ANNOTATIONS,
  SourceReport,
  UnprotectableImage,
} from '@slipway/plugin-slipway-common';
import {
  DEFAULT_KEEP_LAST_PUSHED,
  desiredPolicy,
  HarborArtifactSummary,
  HarborRetentionClient,
  MAX_HARBOR_RULES,
  sameRules,
  slipwayRules,
  tagUsableInPattern,
  wouldDelete,
} from '@slipway/plugin-slipway-node';
import { readCatalogPages } from '../state/readCatalogPages';
import { DeployStateService } from '../state/DeployStateService';

/** `slipway.retention`, read. */
export interface RetentionConfig {
  enabled: boolean;
  schedule: SchedulerServiceTaskScheduleDefinition;
  keepRollbackCandidates: number;
  keepLastPushed: number;
}

const DEFAULT_KEEP_ROLLBACK_CANDIDATES = 5;
/** The report of the last run, kept where every replica reads it. */
const REPORT_KEY = 'retention:report';
const REPORT_TTL_MS = 7 * 24 * 3600 * 1000;
/** History entries read per environment (rollback candidates come from these). */
const HISTORY_DEPTH = 200;
/** Entities read at once. */
const CONCURRENCY = 4;
/** Source statuses that leave nothing unknown. */
const COMPLETE: SourceReport['status'][] = ['ok', 'unconfigured'];

function count(config: Config, key: string, fallback: number): number {
  const value = config.getOptionalNumber(key) ?? fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${key} must be a whole number, 0 or more`);
  }
  return value;
}

/** Reads `slipway.retention` (off unless `enabled`; daily by default). */
export function readRetentionConfig(config: Config): RetentionConfig {
  const retention = config.getOptionalConfig('slipway.retention');
  const schedule = retention?.getOptionalConfig('schedule');
  return {
    enabled: retention?.getOptionalBoolean('enabled') ?? false,
    schedule: schedule
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(schedule)
      : {
          frequency: { hours: 24 },
          timeout: { minutes: 30 },
          initialDelay: { minutes: 5 },
        },
    keepRollbackCandidates: count(
      config,
      'slipway.retention.keepRollbackCandidates',
      DEFAULT_KEEP_ROLLBACK_CANDIDATES,
    ),
    keepLastPushed: count(
      config,
      'slipway.retention.keepLastPushed',
      DEFAULT_KEEP_LAST_PUSHED,
    ),
  };
}

/** What is read of one entity. */
interface EntityRead {
  facts: RetentionEntityFacts;
  /** Why the facts are incomplete, if they are. */
  problem?: string;
}

function incomplete(sources: SourceReport[]): string | undefined {
  const bad = sources.filter(
    s =>
      (s.kind === 'gitops' || s.kind === 'delivery') &&
      !COMPLETE.includes(s.status),
  );
  return bad.length > 0
    ? bad.map(s => `${s.source} ${s.status}`).join(', ')
    : undefined;
}

async function inBatches<T, R>(
  items: T[],
  size: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    results.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  }
  return results;
}

/**
 * Keeps every image an environment runs or may be rolled back to in Harbor:
 * reads the protected set over the catalog's Slipway entities (deploy state
 * and history), writes Slipway's rules into each concerned project's tag
 * retention policy (keep the last N pushed, always keep the protected tags)
 * and reports what Harbor's retention would delete otherwise. A project
 * whose entities could not all be read is left as it was.
 */
export class RetentionService {
  static create(options: {
    catalog: CatalogService;
    auth: AuthService;
    permissions: PermissionsService;
    deployState: Pick<
      DeployStateService,
      'getEntityState' | 'getEntityHistory'
    >;
    cache: CacheService;
    logger: LoggerService;
    harbor?: HarborRetentionClient;
    config: RetentionConfig;
    now?: () => Date;
  }): RetentionService {
    return new RetentionService(
      options.catalog,
      options.auth,
      options.permissions,
      options.deployState,
      options.cache,
      options.logger,
      options.harbor,
      options.config,
      options.now ?? (() => new Date()),
    );
  }

  private constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly permissions: PermissionsService,
    private readonly deployState: Pick<
      DeployStateService,
      'getEntityState' | 'getEntityHistory'
    >,
    private readonly cache: CacheService,
    private readonly logger: LoggerService,
    private readonly harbor: HarborRetentionClient | undefined,
    private readonly config: RetentionConfig,
    private readonly now: () => Date,
  ) {}

  /** The last run's report (platform admins: `slipway.retention.read`). */
  async getReport(credentials: BackstageCredentials): Promise<RetentionReport> {
    const [decision] = await this.permissions.authorize(
      [{ permission: slipwayRetentionReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('Reading the retention report is not allowed');
    }
    const stored = (await this.cache.get(REPORT_KEY)) as
      | RetentionReport
      | undefined;
    return (
      stored ?? {
        ...this.emptyReport(),
        status: 'never-run',
      }
    );
  }

  private emptyReport(): RetentionReport {
    return {
      enabled: this.config.enabled,
      status: 'ok',
      keepLastPushed: this.config.keepLastPushed,
      keepRollbackCandidates: this.config.keepRollbackCandidates,
      entities: 0,
      protected: [],
      unprotectable: [],
      projects: [],
      problems: [],
    };
  }

  /** One retention run: read, protect, report (and keep the report for every replica). */
  async run(): Promise<RetentionReport> {
    const report = this.emptyReport();
    report.startedAt = this.now().toISOString();
    try {
      if (!this.harbor) {
        throw new Error('slipway.harbor is not configured');
      }
      const credentials = await this.auth.getOwnServiceCredentials();
      const reads = await this.readEntities(credentials);
      report.entities = reads.length;
      for (const read of reads) {
        if (read.problem)
          report.problems.push(`${read.facts.entityRef}: ${read.problem}`);
      }
      report.protected = protectedDigests(
        reads.map(r => r.facts),
        { keepRollbackCandidates: this.config.keepRollbackCandidates },
      );
      const projects = new Map<string, EntityRead[]>();
      for (const read of reads) {
        const project = read.facts.harborRepository?.split('/')[0];
        if (!project) continue;
        projects.set(project, [...(projects.get(project) ?? []), read]);
      }
      for (const [project, members] of [...projects].sort(([a], [b]) =>
        a.localeCompare(b),
      )) {
        report.projects.push(
          await this.protectProject(
            this.harbor,
            project,
            members,
            report.protected.filter(
              p => p.harborRepository?.split('/')[0] === project,
            ),
            report.unprotectable,
          ),
        );
      }
      const failed = report.projects.filter(
        p => p.policy === 'failed' || p.policy === 'skipped',
      ).length;
      if (failed > 0)
        report.status =
          failed === report.projects.length ? 'failed' : 'partial';
    } catch (error) {
      report.status = 'failed';
      report.problems.push((error as Error)?.message ?? String(error));
    }
    report.finishedAt = this.now().toISOString();
    await this.cache.set(REPORT_KEY, report as any, { ttl: REPORT_TTL_MS });
    this.logger.info(
      `Slipway retention ${report.status}: ${
        report.protected.length
      } images protected in ${
        report.projects.length
      } Harbor projects; ${report.projects.reduce(
        (n, p) => n + p.wouldDelete.length,
        0,
      )} artifacts would be deleted by retention, ${
        report.unprotectable.length
      } protected images unprotectable`,
    );
    return report;
  }

  private async readEntities(
    credentials: BackstageCredentials,
  ): Promise<EntityRead[]> {
    const entities: Entity[] = [];
    await readCatalogPages(
      this.catalog,
      {
        filter: {
          [`metadata.annotations.${SLIPWAY_ANNOTATIONS.gitopsRepo}`]:
            CATALOG_FILTER_EXISTS,
          [`metadata.annotations.${SLIPWAY_ANNOTATIONS.harborRepositorySlug}`]:
            CATALOG_FILTER_EXISTS,
        },
        fields: [
          'kind',
          'metadata.namespace',
          'metadata.name',
          'metadata.annotations',
        ],
      },
      credentials,
      page => entities.push(...page),
    );
    return inBatches(entities, CONCURRENCY, entity =>
      this.readEntity(entity, credentials),
    );
  }

  private async readEntity(
    entity: Entity,
    credentials: BackstageCredentials,
  ): Promise<EntityRead> {
    const ref = getCompoundEntityRef(entity);
    const annotations = entity.metadata.annotations ?? {};
    const harborRepository =
      annotations[SLIPWAY_ANNOTATIONS.harborRepositorySlug];
    const entityRef = `${ref.kind.toLocaleLowerCase('en-US')}:${
      ref.namespace
    }/${ref.name}`;
    const facts: RetentionEntityFacts = {
      entityRef,
      harborRepository,
      environments: [],
    };
    try {
      const state: EntityState = await this.deployState.getEntityState(
        ref,
        credentials,
        { fresh: true },
      );
      facts.entityRef = state.entityRef;
      const problems: string[] = [];
      const stateProblem = incomplete(state.sources);
      if (stateProblem) problems.push(stateProblem);
      for (const environment of state.environments) {
        const history: HistoryPage = await this.deployState.getEntityHistory(
          ref,
          credentials,
          { environment: environment.environment, limit: HISTORY_DEPTH },
        );
        const historyProblem = incomplete(history.sources);
        if (historyProblem) problems.push(historyProblem);
        const repository =
          annotations[SLIPWAY_ANNOTATIONS.image] ??
          environment.desired?.image?.repository;
        const live: ImageRef[] = (environment.live?.images ?? [])
          .map(parseImageReference)
          .filter(
            image =>
              repository !== undefined && image.repository === repository,
          );
        facts.environments.push({
          environment: environment.environment,
          desired: environment.desired?.image,
          live,
          history: history.items,
        });
      }
      return {
        facts,
        problem:
          problems.length > 0 ? [...new Set(problems)].join('; ') : undefined,
      };
    } catch (error) {
      return {
        facts,
        problem: (error as Error)?.message ?? String(error),
      };
    }
  }

  /** Writes Slipway's rules into one project's policy and reports what retention would delete. */
  private async protectProject(
    harbor: HarborRetentionClient,
    project: string,
    members: EntityRead[],
    protectedImages: ProtectedImage[],
    unprotectable: UnprotectableImage[],
  ): Promise<RetentionProjectReport> {
    const repositories = [
      ...new Set(
        members
          .map(m => m.facts.harborRepository?.split('/').slice(1).join('/'))
          .filter((r): r is string => Boolean(r)),
      ),
    ].sort();
    const report: RetentionProjectReport = {
      project,
      policy: 'unchanged',
      protectedTags: [],
      otherRules: 0,
      repositories: repositories.map(r => `${project}/${r}`),
      wouldDelete: [],
    };
    const unread = members.filter(m => m.problem);
    if (unread.length > 0) {
      report.policy = 'skipped';
      report.message = `Not changed: the deploy state of ${unread
        .map(m => m.facts.entityRef)
        .join(
          ', ',
        )} could not be read completely, so what they run is not known`;
      return report;
    }
    try {
      const found = await harbor.getProject(project);
      if (!found) {
        report.policy = 'failed';
        report.message = `Harbor has no project ${project}`;
        return report;
      }
      report.retentionId = found.retentionId;
      const artifacts = new Map<string, HarborArtifactSummary[]>();
      for (const repository of repositories) {
        artifacts.set(
          repository,
          await harbor.listArtifacts(project, repository),
        );
      }
      const tags = new Set<string>();
      for (const image of protectedImages) {
        const repository = image
          .harborRepository!.split('/')
          .slice(1)
          .join('/');
        const problem = this.protectImage(
          image,
          artifacts.get(repository) ?? [],
          tags,
        );
        if (problem) unprotectable.push({ ...image, problem });
      }
      report.protectedTags = [...tags].sort();
      const existing = found.retentionId
        ? await harbor.getPolicy(found.retentionId)
        : undefined;
      const ours = slipwayRules({
        keepLastPushed: this.config.keepLastPushed,
        protectedTags: report.protectedTags,
      });
      const policy = desiredPolicy(existing, found.id, ours);
      report.otherRules = policy.rules.length - ours.length;
      if (policy.rules.length > MAX_HARBOR_RULES) {
        report.policy = 'failed';
        report.message = `The policy would hold ${policy.rules.length} rules; Harbor allows ${MAX_HARBOR_RULES}`;
        return report;
      }
      for (const repository of repositories) {
        report.wouldDelete.push(
          ...wouldDelete(
            `${project}/${repository}`,
            artifacts.get(repository) ?? [],
            {
              keepLastPushed: this.config.keepLastPushed,
              protectedTags: tags,
            },
          ),
        );
      }
      if (report.otherRules > 0) {
        report.message = `${report.otherRules} rules of the policy are not Slipway's; they are kept and may retain more than this report says`;
      }
      if (!existing) {
        const id = await harbor.createPolicy(policy);
        report.retentionId =
          id ?? (await harbor.getProject(project))?.retentionId;
        report.policy = 'created';
      } else if (
        !sameRules(existing.rules, policy.rules) ||
        existing.scope?.ref !== found.id
      ) {
        await harbor.updatePolicy(found.retentionId!, policy);
        report.policy = 'updated';
      }
      return report;
    } catch (error) {
      return {
        ...report,
        policy: 'failed',
        wouldDelete: [],
        message: (error as Error)?.message ?? String(error),
      };
    }
  }

  /** Adds the tags that keep an image; answers why it cannot be kept, if it cannot. */
  private protectImage(
    image: ProtectedImage,
    artifacts: HarborArtifactSummary[],
    tags: Set<string>,
  ): string | undefined {
    const { digest, tag } = image.image;
    const artifact = digest
      ? artifacts.find(a => a.digest === digest)
      : artifacts.find(a => a.tags.some(t => t.name === tag));
    if (!artifact) {
      // A platform manifest of a kept index is kept with it.
      if (digest && artifacts.some(a => a.children.includes(digest))) {
        const parent = artifacts.find(a => a.children.includes(digest))!;
        if (parent.tags.length > 0) {
          for (const t of parent.tags)
            if (tagUsableInPattern(t.name)) tags.add(t.name);
          return undefined;
        }
      }
      return `${
        digest ?? tag
      } is not in Harbor (already deleted, or never pushed there)`;
    }
    const usable = artifact.tags.map(t => t.name).filter(tagUsableInPattern);
    if (usable.length === 0) {
      return `no tag points at ${artifact.digest}: tag retention rules cannot keep it`;
    }
    for (const name of usable) tags.add(name);
    return undefined;
  }
}
