import {
  AuditorService,
  AuthService,
  BackstageCredentials,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  ArtifactState,
  assertDigest,
  EntityDeployConfig,
  EntityState,
  environmentRules,
  EnvironmentRules,
  evaluateGates,
  Freeze,
  FREEZES_SIGNAL_CHANNEL,
  GateResult,
  GatesVerdict,
  isFinalPromotionState,
  overlayPath,
  Promotion,
  PromotionPreview,
  PromotionRequest,
  PromotionState,
  promotionSignalChannel,
  promotionTargetRef,
  readEntityDeployConfig,
  slipwayFreezeManagePermission,
  slipwayPromotionApprovePermission,
  slipwayPromotionCreatePermission,
  slipwayPromotionOverridePermission,
  SlipwayEnvironment,
} from '@slipway/plugin-slipway-common';
import {
  ArtifactProvider,
  CiProvider,
  DeliveryProvider,
} from '@slipway/plugin-slipway-node';
import { DatabaseLock } from '../database/DatabaseLock';
import { PolicyStore } from '../database/PolicyStore';
import { PromotionStore, StoredPromotion } from '../database/PromotionStore';
import {
  FluxApplyFailedError,
  FluxReconcileNotConfiguredError,
} from '../providers/FluxProvider';
import { deliveryProviderFor } from '../state/deliveryProviderFor';
import {
  approvalFacts,
  buildGateFacts,
  environmentDigest,
  freezesCovering,
  readVerificationStatuses,
  sourceCommitOf,
  sourceStatusOf,
  subjectOf,
} from './gateFacts';
import { PromotionWriter } from './PromotionWriter';

/** The actor of what the engine does on its own (reconciler, auto-promotion). */
export const SLIPWAY_ACTOR = 'slipway';

const LOCK_TTL_MS = 60_000;
const ARTIFACT_TIMEOUT_MS = 10_000;

/** Sends promotion news to people (Backstage notifications in the plugin). */
export interface PromotionNotifier {
  awaitingApproval(
    promotion: Promotion,
    approverGroups: string[],
  ): Promise<void>;
  finished(promotion: Promotion): Promise<void>;
  breakGlass(promotion: Promotion): Promise<void>;
}

interface Target {
  entity: Entity;
  entityRef: string;
  config: EntityDeployConfig;
  environment: SlipwayEnvironment;
  upstream?: SlipwayEnvironment;
}

interface Evaluation {
  rules: EnvironmentRules;
  verdict: GatesVerdict;
  gates: GateResult[];
  state: EntityState;
}

/**
 * The promotion engine: previews, requests, approvals, rollbacks, freezes
 * and the execution of promotions as GitOps commits or pull requests,
 * serialised per (entity, environment) by a database lease.
 */
export class PromotionService {
  static create(options: {
    catalog: CatalogService;
    auth: AuthService;
    userInfo: UserInfoService;
    permissions: PermissionsService;
    auditor?: AuditorService;
    logger: LoggerService;
    environments: SlipwayEnvironment[];
    policies: PolicyStore;
    store: PromotionStore;
    lock: DatabaseLock;
    deployState: {
      getEntityState(
        ref: CompoundEntityRef,
        credentials: BackstageCredentials,
        options?: { fresh?: boolean },
      ): Promise<EntityState>;
    };
    artifacts: ArtifactProvider[];
    delivery: DeliveryProvider[];
    /** CI providers: verification gates read commit statuses through them. */
    ci?: CiProvider[];
    writer: PromotionWriter;
    notifier?: PromotionNotifier;
    signals?: SignalsService;
    now?: () => Date;
  }): PromotionService {
    return new PromotionService(options);
  }

  private constructor(
    private readonly o: Parameters<typeof PromotionService.create>[0],
  ) {}

  private now(): Date {
    return this.o.now?.() ?? new Date();
  }

  // --- reading -------------------------------------------------------------

  /** The entity with the caller's credentials: invisible means not found. */
  private async target(
    ref: CompoundEntityRef,
    environmentName: string,
    credentials: BackstageCredentials,
  ): Promise<Target> {
    const entityRef = stringifyEntityRef(ref);
    const entity = await this.o.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) throw new NotFoundError(`Entity ${entityRef} not found`);
    const config = readEntityDeployConfig(entity, {
      environments: this.o.environments,
    });
    const index = config.environments.findIndex(
      e => e.name === environmentName,
    );
    if (index < 0) {
      throw new InputError(
        `Unknown environment ${environmentName} for ${entityRef}`,
      );
    }
    if (!config.gitops || !config.image) {
      throw new InputError(
        `${entityRef} has no GitOps repository or image annotation; it cannot be promoted`,
      );
    }
    return {
      entity,
      entityRef,
      config,
      environment: config.environments[index],
      upstream: index > 0 ? config.environments[index - 1] : undefined,
    };
  }

  private async serviceCredentials() {
    return this.o.auth.getOwnServiceCredentials();
  }

  /** Ownership references of users, from the catalog, as they are now. */
  private async ownershipOf(users: string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    if (users.length === 0) return result;
    const { items } = await this.o.catalog.getEntitiesByRefs(
      { entityRefs: users, fields: ['kind', 'metadata', 'relations'] },
      { credentials: await this.serviceCredentials() },
    );
    users.forEach((user, index) => {
      const entity = items[index];
      const groups = (entity?.relations ?? [])
        .filter(r => r.type === 'memberOf')
        .map(r => r.targetRef);
      // A user removed from the catalog keeps no group: their approval stops counting.
      result.set(user, entity ? [user, ...groups] : [user]);
    });
    return result;
  }

  private async authorize(
    permission: BasicPermission | ResourcePermission,
    credentials: BackstageCredentials,
    target?: { entityRef: string; environment: string },
  ): Promise<boolean> {
    const [decision] = target
      ? await this.o.permissions.authorize(
          [
            {
              permission: permission as ResourcePermission,
              resourceRef: promotionTargetRef(
                target.entityRef,
                target.environment,
              ),
            },
          ],
          { credentials },
        )
      : await this.o.permissions.authorize(
          [{ permission: permission as BasicPermission }],
          { credentials },
        );
    return decision.result === AuthorizeResult.ALLOW;
  }

  private async requireAllowed(
    permission: BasicPermission | ResourcePermission,
    credentials: BackstageCredentials,
    target?: { entityRef: string; environment: string },
  ): Promise<void> {
    if (!(await this.authorize(permission, credentials, target))) {
      throw new NotAllowedError(
        target
          ? `Not allowed to ${permission.name.split('.').pop()} promotions of ${
              target.entityRef
            } into ${target.environment}`
          : `Not allowed: ${permission.name}`,
      );
    }
  }

  private async userRef(credentials: BackstageCredentials): Promise<string> {
    const principal = credentials.principal as {
      type?: string;
      userEntityRef?: string;
    };
    if (principal?.type !== 'user' || !principal.userEntityRef) {
      throw new NotAllowedError('Only users can do this');
    }
    return principal.userEntityRef;
  }

  /** Resolves the artifact to one digest and reads what the registry knows of it. */
  private async resolveArtifact(
    target: Target,
    request: PromotionRequest['artifact'],
    state: EntityState,
  ): Promise<{
    artifact: ArtifactState & { image: { digest: string } };
    status: ReturnType<typeof sourceStatusOf>;
  }> {
    let digest: string | undefined;
    if ('digest' in request) {
      digest = assertDigest(request.digest);
    } else {
      if (!target.upstream) {
        throw new InputError(
          `${target.environment.name} is the first environment; name a digest to promote`,
        );
      }
      digest = environmentDigest(state, target.upstream.name);
      if (!digest) {
        throw new ConflictError(
          `${target.upstream.name} runs no known digest yet; nothing to promote`,
        );
      }
    }
    const config = target.config;
    const provider = this.o.artifacts.find(p =>
      p.supports({
        repositorySlug: config.registry?.harborRepositorySlug,
        image: config.image,
      }),
    );
    const fallback = {
      artifact: { image: { repository: config.image!, digest } },
      status: 'unconfigured' as const,
    };
    if (!provider) return fallback;
    try {
      const found = await provider.getArtifact(
        {
          repositorySlug: config.registry?.harborRepositorySlug,
          image: { repository: config.image!, digest },
        },
        { signal: AbortSignal.timeout(ARTIFACT_TIMEOUT_MS) },
      );
      if (!found) {
        throw new InputError(`${digest} is not in the registry`);
      }
      // Pinned: whatever tag the registry shows now, the digest is what moves.
      return {
        artifact: { ...found, image: { ...found.image, digest } },
        status: 'ok',
      };
    } catch (error) {
      if (error instanceof InputError) throw error;
      return { ...fallback, status: 'error' };
    }
  }

  private async policiesFor(target: Target): Promise<EnvironmentRules> {
    const latest = await this.o.policies.listLatest();
    return environmentRules(
      latest.map(p => ({ name: p.name, version: p.version, policy: p.policy })),
      subjectOf(target.entity),
      target.environment.name,
    );
  }

  /** Evaluates every gate from fresh reads. Unknown fails closed. */
  private async evaluate(
    target: Target,
    options: {
      requester: string;
      artifact: ArtifactState & { image: { digest: string } };
      artifactsStatus: ReturnType<typeof sourceStatusOf>;
      state: EntityState;
      promotion?: StoredPromotion;
      rules?: EnvironmentRules;
    },
  ): Promise<Evaluation> {
    const rules = options.rules ?? (await this.policiesFor(target));
    const upstream: Record<string, any> = {};
    for (const { gate } of rules.gates) {
      if (gate.type !== 'soak') continue;
      upstream[gate.upstream] = await this.observeUpstream(
        target,
        options.state,
        gate.upstream,
      );
    }
    // Verification gates: the source commit's statuses, read fresh (no cache).
    const verification = rules.gates.some(
      ({ gate }) => gate.type === 'verification',
    )
      ? await readVerificationStatuses({
          ci: this.o.ci ?? [],
          config: target.config,
          commit: sourceCommitOf(options.artifact),
          timeoutMs: ARTIFACT_TIMEOUT_MS,
        })
      : undefined;
    const approvals = options.promotion
      ? await this.o.store.approvals(options.promotion.id)
      : [];
    const ownership = await this.ownershipOf([
      ...new Set(approvals.map(a => a.approver)),
    ]);
    const facts = buildGateFacts({
      now: this.now(),
      environment: target.environment.name,
      requester: options.requester,
      state: options.state,
      artifact: options.artifact,
      artifactsStatus: options.artifactsStatus,
      // Who signed, as the registry's signature certificates say (unknown when unread).
      signers: options.artifact.signature?.signers,
      upstream,
      upstreamEnvironment: target.upstream?.name,
      verification,
      approvals: approvalFacts(approvals, ownership),
      freezes: freezesCovering(
        await this.o.store.activeFreezes(),
        subjectOf(target.entity),
        target.environment.name,
      ),
    });
    const { verdict, results } = evaluateGates(rules, facts);
    return { rules, verdict, gates: results, state: options.state };
  }

  /** Records what the upstream environment runs, for soak time. */
  private async observeUpstream(
    target: Target,
    state: EntityState,
    environment: string,
  ) {
    const env = state.environments.find(e => e.environment === environment);
    const digest = environmentDigest(state, environment);
    const deliveryOk =
      sourceStatusOf(state.sources, 'delivery') === 'ok' &&
      sourceStatusOf(state.sources, 'gitops') === 'ok';
    if (!env || !digest || !deliveryOk) return undefined;
    const observed = await this.o.store.observe({
      entityRef: target.entityRef,
      environment,
      digest,
      healthy: env.deployed,
      deployment: env.live?.operation?.finishedAt ?? env.live?.lastSyncedAt,
    });
    return {
      digest,
      healthy: env.deployed,
      healthySince: observed.healthySince,
    };
  }
  // --- the engine ----------------------------------------------------------

  /** The target of a stored promotion, read with the plugin's own credentials. */
  private async engineTarget(promotion: StoredPromotion): Promise<Target> {
    return this.target(
      parseEntityRef(promotion.entityRef),
      promotion.environment,
      await this.serviceCredentials(),
    );
  }

  /**
   * Moves a promotion as far as it can: re-evaluates its gates from fresh
   * reads and, when they all pass (or break-glass was asked for by someone
   * allowed to), executes it under the target's lease.
   */
  async advance(
    id: string,
    options: {
      actor: string;
      target?: Target;
      prefetched?: {
        state: EntityState;
        artifact: ArtifactState & { image: { digest: string } };
        status: ReturnType<typeof sourceStatusOf>;
        rules: EnvironmentRules;
      };
    },
  ): Promise<void> {
    const promotion = await this.o.store.getOrThrow(id);
    if (
      !['requested', 'blocked', 'awaiting-approval'].includes(promotion.state)
    ) {
      return;
    }
    const target = options.target ?? (await this.engineTarget(promotion));
    const evaluation = await this.evaluateStored(
      promotion,
      target,
      options.prefetched,
    );
    const rejected = evaluation.gates.find(
      g => g.type === 'approvals' && g.status === 'fail',
    );
    if (rejected) {
      await this.finish(promotion, 'failed', options.actor, rejected.reason, {
        gates: evaluation.gates,
        verdict: evaluation.verdict,
      });
      return;
    }
    if (evaluation.verdict === 'ready' || promotion.breakGlass) {
      await this.execute(promotion, target, evaluation, options.actor);
      return;
    }
    const waiting: PromotionState =
      evaluation.verdict === 'awaiting-approval'
        ? 'awaiting-approval'
        : 'blocked';
    const reason = evaluation.gates
      .filter(g => g.status !== 'pass')
      .map(g => g.reason)
      .join('; ');
    const moved = await this.o.store.transition(id, {
      from: ['requested', 'blocked', 'awaiting-approval'],
      to: waiting,
      actor: options.actor,
      message: reason,
      patch: {
        gates: evaluation.gates,
        verdict: evaluation.verdict,
        policies: evaluation.rules.policies,
      },
    });
    if (
      waiting === 'awaiting-approval' &&
      promotion.state !== 'awaiting-approval'
    ) {
      const groups = await this.approverGroups(moved);
      await this.o.notifier
        ?.awaitingApproval(this.dto(moved), groups)
        .catch(() => undefined);
    }
    await this.publish(moved);
  }

  private async evaluateStored(
    promotion: StoredPromotion,
    target: Target,
    prefetched?: Parameters<PromotionService['advance']>[1]['prefetched'],
  ): Promise<Evaluation> {
    const credentials = await this.serviceCredentials();
    const state =
      prefetched?.state ??
      (await this.o.deployState.getEntityState(
        parseEntityRef(promotion.entityRef),
        credentials,
        { fresh: true },
      ));
    const resolved = prefetched
      ? { artifact: prefetched.artifact, status: prefetched.status }
      : await this.resolveArtifact(
          target,
          { digest: promotion.artifact.digest },
          state,
        );
    return this.evaluate(target, {
      requester: promotion.requester,
      artifact: resolved.artifact,
      artifactsStatus: resolved.status,
      state,
      promotion,
      rules: prefetched?.rules,
    });
  }

  /** Writes the promotion under the (entity, environment) lease. */
  private async execute(
    promotion: StoredPromotion,
    target: Target,
    evaluation: Evaluation,
    actor: string,
    options: { finalAttempt?: boolean } = {},
  ): Promise<void> {
    const key = `promotion:${promotion.entityRef}|${promotion.environment}`;
    await this.o.lock.withLock(
      key,
      async () => {
        const current = await this.o.store.getOrThrow(promotion.id);
        const startable: PromotionState[] = [
          'requested',
          'blocked',
          'awaiting-approval',
          'executing',
        ];
        if (!startable.includes(current.state)) return;
        const landed = await this.o.store.latestLanded(
          current.entityRef,
          current.environment,
        );
        if (landed && landed.seq > current.seq) {
          await this.finish(
            current,
            'superseded',
            actor,
            `A newer promotion (${landed.id}) landed first`,
          );
          return;
        }
        const executing = await this.o.store.transition(current.id, {
          from: startable,
          to: 'executing',
          actor,
          message:
            current.breakGlass && evaluation.verdict !== 'ready'
              ? `Break-glass past: ${evaluation.gates
                  .filter(g => g.status !== 'pass')
                  .map(g => g.reason)
                  .join('; ')}`
              : undefined,
          patch: { gates: evaluation.gates, verdict: evaluation.verdict },
        });
        await this.publish(executing);
        await this.write(executing, target, evaluation, actor, options);
      },
      { ttlMs: LOCK_TTL_MS },
    );
  }

  private async write(
    promotion: StoredPromotion,
    target: Target,
    evaluation: Evaluation,
    actor: string,
    options: { finalAttempt?: boolean } = {},
  ): Promise<void> {
    const approvers = promotion.approvals
      .filter(a => a.decision === 'approve')
      .map(a => a.approver);
    const trailers: Record<string, string> = {
      'Slipway-Requester': promotion.requester,
      'Slipway-Digest': promotion.artifact.digest,
    };
    if (approvers.length) trailers['Slipway-Approved-By'] = approvers.join(',');
    if (promotion.breakGlass) trailers['Slipway-Break-Glass'] = 'true';
    const verb = promotion.kind === 'rollback' ? 'Roll back' : 'Promote';
    let result;
    try {
      result = await this.o.writer.write({
        ...this.overlayChange(target, {
          image: {
            repository: promotion.artifact.repository,
            tag: promotion.artifact.tag,
            digest: promotion.artifact.digest,
          },
        } as ArtifactState & { image: { digest: string } }),
        promotionId: promotion.id,
        mode: promotion.mode,
        message: `${verb} ${target.entity.metadata.name} to ${
          promotion.environment
        }: ${
          promotion.artifact.tag?.slice(0, 12) ??
          promotion.artifact.digest.slice(7, 19)
        }${promotion.reason ? `\n\n${promotion.reason}` : ''}`,
        trailers,
      });
    } catch (error) {
      const message = (error as Error).message;
      // A typed refusal (protected branch, refused credentials, a branch
      // that kept moving, a missing overlay) wrote nothing: the promotion
      // failed. Anything else (a lost connection, a 5xx, a dying process)
      // may have come after the push landed: the outcome is unknown, so the
      // promotion stays executing and the reconciler retries under the
      // lease; the trailer makes the retry find the earlier commit instead
      // of writing a second one (THREATS 22).
      if (isTerminalWriteError(error) || options.finalAttempt) {
        await this.finish(promotion, 'failed', actor, message);
        return;
      }
      const pending = await this.o.store.transition(promotion.id, {
        from: ['executing'],
        to: 'executing',
        actor,
        message: `Write outcome unknown (${message}); the reconciler will retry`,
      });
      await this.publish(pending);
      return;
    }
    if (!result.changed && !result.alreadyApplied) {
      await this.finish(
        promotion,
        'no-op',
        actor,
        `${promotion.environment} already runs ${promotion.artifact.digest}`,
      );
      return;
    }
    if (result.pullRequest) {
      const open = await this.o.store.transition(promotion.id, {
        from: ['executing'],
        to: 'pr-open',
        actor,
        message: result.pullRequest.url,
        patch: { pullRequest: { ...result.pullRequest, state: 'open' } },
      });
      await this.publish(open);
      return;
    }
    const committed = await this.o.store.transition(promotion.id, {
      from: ['executing'],
      to: 'committed',
      actor,
      message: result.alreadyApplied
        ? 'Found the commit of an earlier attempt'
        : undefined,
      patch: { commit: { sha: result.commitSha! } },
    });
    await this.publish(committed);
    await this.startSync(committed, target, evaluation.rules, actor);
  }

  /** After the commit landed: sync manual environments when the policy says so; then wait for Argo CD. */
  private async startSync(
    promotion: StoredPromotion,
    target: Target,
    rules: EnvironmentRules,
    actor: string,
  ): Promise<void> {
    let message: string | undefined;
    if (target.environment.syncMode === 'manual' && rules.sync) {
      try {
        message = await this.syncApplication(promotion, target);
      } catch (error) {
        // Flux tried the promoted commit and refused it (a broken overlay,
        // failed health checks): failed, with the controller's message.
        if (error instanceof FluxApplyFailedError) {
          await this.finish(promotion, 'failed', actor, error.message);
          return;
        }
        // No reconcile credential: the source's interval applies the commit.
        if (!(error instanceof FluxReconcileNotConfiguredError)) throw error;
        message = `${error.message}: waiting for Flux's interval`;
      }
    }
    const syncing = await this.o.store.transition(promotion.id, {
      from: ['committed'],
      to: 'syncing',
      actor,
      message,
    });
    await this.publish(syncing);
  }

  /** Asks Argo CD to sync the environment's application to the promoted commit. */
  private async syncApplication(
    promotion: StoredPromotion,
    target: Target,
  ): Promise<string> {
    // The entity's Flux cluster or Argo CD instance (default: the first).
    const provider = deliveryProviderFor(this.o.delivery, target.config);
    if (!provider?.sync) {
      return 'No Argo CD write access configured: waiting for a manual sync';
    }
    const state = await this.o.deployState.getEntityState(
      parseEntityRef(promotion.entityRef),
      await this.serviceCredentials(),
      { fresh: true },
    );
    const live = state.environments.find(
      e => e.environment === promotion.environment,
    )?.live;
    const application = live?.application;
    if (!application) return 'No Argo CD application found for the environment';
    if (live.controller === 'flux') {
      // The reconcile request; it returns once Flux applied the commit.
      const name = live.namespace
        ? `${live.namespace}/${application}`
        : application;
      await provider.sync(name, {
        revision: promotion.commit?.sha,
        signal: AbortSignal.timeout(120_000),
      });
      return `Flux reconciled ${name}`;
    }
    await provider.sync(application, {
      revision: promotion.commit?.sha,
      signal: AbortSignal.timeout(120_000),
    });
    return `Argo CD sync of ${application} started`;
  }

  private async finish(
    promotion: StoredPromotion,
    to: PromotionState,
    actor: string,
    message: string,
    patch: { gates?: GateResult[]; verdict?: GatesVerdict } = {},
  ): Promise<void> {
    const done = await this.o.store.transition(promotion.id, {
      from: [promotion.state],
      to,
      actor,
      message,
      patch: { ...patch, error: to === 'failed' ? message : undefined },
    });
    this.audit(`promotion-${to}`, actor, done, { message });
    await this.publish(done);
    if (isFinalPromotionState(to)) {
      await this.o.notifier?.finished(this.dto(done)).catch(() => undefined);
    }
  }

  // --- reconciler and auto-promotion (scheduled, once across replicas) ------

  /**
   * Converges every open promotion: re-evaluates waiting ones (soak and
   * windows move with time), resumes executions whose process died (the
   * gateway finds the trailer, so nothing is written twice), follows pull
   * requests, and marks syncing promotions deployed by the same rule the
   * Deploy tab uses.
   */
  async reconcile(options: { deployTimeoutMs?: number } = {}): Promise<{
    checked: number;
    moved: number;
  }> {
    const open = await this.o.store.listOpen();
    let moved = 0;
    for (const promotion of open) {
      try {
        const before = promotion.state;
        await this.reconcileOne(
          promotion,
          options.deployTimeoutMs ?? 30 * 60_000,
        );
        const after = (await this.o.store.get(promotion.id))?.state;
        if (after !== before) moved += 1;
      } catch (error) {
        this.o.logger.warn(
          `Slipway reconciler: promotion ${promotion.id}: ${
            (error as Error).message
          }`,
        );
      }
    }
    return { checked: open.length, moved };
  }

  private async reconcileOne(
    promotion: StoredPromotion,
    deployTimeoutMs: number,
  ): Promise<void> {
    switch (promotion.state) {
      case 'requested':
      case 'blocked':
      case 'awaiting-approval':
        await this.advance(promotion.id, { actor: SLIPWAY_ACTOR });
        return;
      case 'executing': {
        // Only when no live process holds the lease: its holder died.
        const key = `promotion:${promotion.entityRef}|${promotion.environment}`;
        const lease = await this.o.lock.tryAcquire(key, 1);
        if (!lease) return;
        await lease.release();
        const target = await this.engineTarget(promotion);
        const evaluation = await this.evaluateStored(promotion, target);
        // Retried until the deploy timeout, counted from the first execution.
        const started = promotion.timeline.find(e => e.state === 'executing');
        const finalAttempt =
          this.now().getTime() -
            Date.parse(started?.at ?? promotion.updatedAt) >
          deployTimeoutMs;
        await this.execute(promotion, target, evaluation, SLIPWAY_ACTOR, {
          finalAttempt,
        });
        return;
      }
      case 'pr-open':
        await this.followPullRequest(promotion);
        return;
      case 'committed': {
        // Only when no live process holds the lease: the request that
        // committed it may still be waiting for the controller (a Flux
        // reconcile takes up to the sync budget); a second request would
        // replace its requestedAt, and its wait would never see it handled.
        const key = `promotion:${promotion.entityRef}|${promotion.environment}`;
        const lease = await this.o.lock.tryAcquire(key, 1);
        if (!lease) return;
        await lease.release();
        const current = await this.o.store.getOrThrow(promotion.id);
        if (current.state !== 'committed') return;
        const target = await this.engineTarget(current);
        await this.startSync(
          current,
          target,
          await this.policiesFor(target),
          SLIPWAY_ACTOR,
        );
        return;
      }
      case 'syncing':
        await this.checkDeployed(promotion, deployTimeoutMs);
        return;
      default:
    }
  }

  private async followPullRequest(promotion: StoredPromotion): Promise<void> {
    const target = await this.engineTarget(promotion);
    const pr = promotion.pullRequest!;
    const { state, mergeCommitSha } = await this.o.writer.pullRequestState(
      target.config.gitops!.repo,
      pr,
    );
    if (state === 'open') return;
    if (state === 'closed') {
      await this.o.store.transition(promotion.id, {
        from: ['pr-open'],
        to: 'cancelled',
        actor: SLIPWAY_ACTOR,
        message: `Pull request #${pr.number} was closed without merging`,
        patch: { pullRequest: { ...pr, url: pr.url, state: 'closed' } },
      });
      await this.publish((await this.o.store.get(promotion.id))!);
      return;
    }
    const committed = await this.o.store.transition(promotion.id, {
      from: ['pr-open'],
      to: 'committed',
      actor: SLIPWAY_ACTOR,
      message: `Pull request #${pr.number} merged`,
      patch: {
        pullRequest: { ...pr, url: pr.url, state: 'merged' },
        commit: mergeCommitSha ? { sha: mergeCommitSha } : undefined,
      },
    });
    await this.startSync(
      committed,
      target,
      await this.policiesFor(target),
      SLIPWAY_ACTOR,
    );
  }

  private async checkDeployed(
    promotion: StoredPromotion,
    deployTimeoutMs: number,
  ): Promise<void> {
    const state = await this.o.deployState.getEntityState(
      parseEntityRef(promotion.entityRef),
      await this.serviceCredentials(),
      { fresh: true },
    );
    const env = state.environments.find(
      e => e.environment === promotion.environment,
    );
    const digest = environmentDigest(state, promotion.environment);
    if (env?.deployed && digest === promotion.artifact.digest) {
      await this.finish(
        promotion,
        'deployed',
        SLIPWAY_ACTOR,
        `${env.live?.controller === 'flux' ? 'Flux' : 'Argo CD'} reports ${
          env.live?.application ?? 'the application'
        } synced and healthy`,
      );
      return;
    }
    if (digest && digest !== promotion.artifact.digest) {
      // Another digest is wanted: a later commit changed the overlay, or this
      // read predates the promotion's own commit (a read in flight when it
      // was pushed). Only the overlay's history tells them apart; a read that
      // has not seen the commit yet waits for the next round.
      const target = await this.engineTarget(promotion);
      const position = await this.o.writer.changePosition(
        {
          repoUrl: target.config.gitops!.repo,
          overlayPath: overlayPath(
            target.config.gitops!.path,
            target.environment.name,
          ),
        },
        { id: promotion.id, commitSha: promotion.commit?.sha },
      );
      if (position === 'overtaken') {
        await this.finish(
          promotion,
          'superseded',
          SLIPWAY_ACTOR,
          `${promotion.environment} now wants ${digest}`,
        );
        return;
      }
    }
    const since = Date.parse(promotion.updatedAt);
    if (this.now().getTime() - since > deployTimeoutMs) {
      await this.finish(
        promotion,
        'failed',
        SLIPWAY_ACTOR,
        `Not deployed within ${Math.round(deployTimeoutMs / 60_000)} min: ${
          env?.live
            ? `${env.live.syncStatus}, ${env.live.healthStatus}`
            : 'no live state'
        }`,
      );
    }
  }

  /**
   * Promotes, as the actor `slipway`, the artifact that runs upstream into
   * every environment whose policies all allow auto-promotion, once its
   * gates pass. A digest rolled back from is skipped until a newer one
   * exists (THREATS 30).
   */
  async autoPromote(entities: Entity[]): Promise<string[]> {
    const started: string[] = [];
    const credentials = await this.serviceCredentials();
    for (const entity of entities) {
      const config = readEntityDeployConfig(entity, {
        environments: this.o.environments,
      });
      if (!config.gitops || !config.image) continue;
      const entityRef = stringifyEntityRef(entity);
      let state: EntityState | undefined;
      for (const [index, environment] of config.environments.entries()) {
        if (index === 0) continue;
        const target: Target = {
          entity,
          entityRef,
          config,
          environment,
          upstream: config.environments[index - 1],
        };
        const rules = await this.policiesFor(target);
        if (!rules.autoPromote) continue;
        state ??= await this.o.deployState.getEntityState(
          parseEntityRef(entityRef),
          credentials,
          { fresh: true },
        );
        const candidate = environmentDigest(state, target.upstream!.name);
        const upstreamEnv = state.environments.find(
          e => e.environment === target.upstream!.name,
        );
        if (!candidate || !upstreamEnv?.deployed) continue;
        if (candidate === environmentDigest(state, environment.name)) continue;
        const skipped = await this.o.store.rolledBackFrom(
          entityRef,
          environment.name,
        );
        if (skipped.some(s => s.digest === candidate)) continue;
        const open = await this.o.store.listOpen({
          entityRef,
          environment: environment.name,
        });
        if (open.some(p => p.artifact.digest === candidate)) continue;
        const { artifact, status } = await this.resolveArtifact(
          target,
          { digest: candidate },
          state,
        );
        const { promotion, created } = await this.o.store.create({
          entityRef,
          environment: environment.name,
          kind: 'promotion',
          artifact: this.artifactOf(artifact),
          previousDigest: environmentDigest(state, environment.name),
          state: 'requested',
          mode: rules.mode,
          requester: SLIPWAY_ACTOR,
          breakGlass: false,
          policies: rules.policies,
          gates: [],
          idempotencyKey: `auto:${environment.name}:${candidate}`,
          message: `Auto-promotion of what runs in ${target.upstream!.name}`,
        });
        if (!created) continue;
        started.push(promotion.id);
        await this.advance(promotion.id, {
          actor: SLIPWAY_ACTOR,
          target,
          prefetched: { state, artifact, status, rules },
        });
      }
    }
    return started;
  }

  // --- preview and request -------------------------------------------------

  /** What a promotion would do: the digest, every gate, the exact overlay diff. Writes nothing. */
  async preview(
    ref: CompoundEntityRef,
    body: Pick<PromotionRequest, 'environment' | 'artifact'>,
    credentials: BackstageCredentials,
  ): Promise<PromotionPreview> {
    const requester = await this.userRef(credentials);
    const target = await this.target(ref, body.environment, credentials);
    // A preview reads every source fresh (past the cache) and asks the
    // registry: only for those who may promote there, before any of it.
    await this.requireAllowed(slipwayPromotionCreatePermission, credentials, {
      entityRef: target.entityRef,
      environment: target.environment.name,
    });
    const state = await this.o.deployState.getEntityState(ref, credentials, {
      fresh: true,
    });
    const { artifact, status } = await this.resolveArtifact(
      target,
      body.artifact,
      state,
    );
    const evaluation = await this.evaluate(target, {
      requester,
      artifact,
      artifactsStatus: status,
      state,
    });
    const overlay = await this.o.writer.preview(
      this.overlayChange(target, artifact),
    );
    return {
      entityRef: target.entityRef,
      environment: target.environment.name,
      artifact: this.artifactOf(artifact),
      mode: evaluation.rules.mode,
      policies: evaluation.rules.policies,
      gates: evaluation.gates,
      verdict: evaluation.verdict,
      overlay: {
        path: overlay.path,
        diff: overlay.diff,
        changed: overlay.changed,
      },
      current: overlay.current,
    };
  }

  private artifactOf(artifact: ArtifactState & { image: { digest: string } }) {
    return {
      repository: artifact.image.repository,
      digest: artifact.image.digest,
      tag: artifact.image.tag,
      sourceCommit: artifact.sourceCommit ?? artifact.image.tag,
    };
  }

  private overlayChange(
    target: Target,
    artifact: ArtifactState & { image: { digest: string } },
  ) {
    return {
      repoUrl: target.config.gitops!.repo,
      overlayPath: overlayPath(
        target.config.gitops!.path,
        target.environment.name,
      ),
      imageName: target.config.image!,
      artifact: {
        repository: artifact.image.repository,
        tag: artifact.image.tag,
        digest: artifact.image.digest,
      },
    };
  }

  /**
   * Requests a promotion. Permission is checked on the target (entity and
   * environment) before anything else is read or written (THREATS 16). The
   * promotion then runs as far as its gates allow.
   */
  async request(
    ref: CompoundEntityRef,
    body: PromotionRequest,
    credentials: BackstageCredentials,
    kind: Promotion['kind'] = 'promotion',
  ): Promise<Promotion> {
    const requester = await this.userRef(credentials);
    const target = await this.target(ref, body.environment, credentials);
    const targetRef = {
      entityRef: target.entityRef,
      environment: target.environment.name,
    };
    await this.requireAllowed(
      slipwayPromotionCreatePermission,
      credentials,
      targetRef,
    );
    if (body.breakGlass) {
      await this.requireAllowed(
        slipwayPromotionOverridePermission,
        credentials,
        targetRef,
      );
      if (!body.reason?.trim()) {
        throw new InputError('Break-glass needs a reason');
      }
    }
    if (kind === 'rollback' && !body.reason?.trim()) {
      throw new InputError('A rollback needs a reason');
    }
    const state = await this.o.deployState.getEntityState(ref, credentials, {
      fresh: true,
    });
    const { artifact, status } = await this.resolveArtifact(
      target,
      body.artifact,
      state,
    );
    const rules = await this.policiesFor(target);
    const { promotion, created } = await this.o.store.create({
      entityRef: target.entityRef,
      environment: target.environment.name,
      kind,
      artifact: this.artifactOf(artifact),
      previousDigest: environmentDigest(state, target.environment.name),
      state: 'requested',
      mode: rules.mode,
      requester,
      reason: body.reason?.trim() || undefined,
      breakGlass: Boolean(body.breakGlass),
      policies: rules.policies,
      gates: [],
      idempotencyKey: body.idempotencyKey,
      message: kind === 'rollback' ? `Rollback: ${body.reason}` : undefined,
    });
    if (!created) return promotion;
    this.audit('promotion-request', requester, promotion, {
      breakGlass: promotion.breakGlass,
    });
    if (promotion.breakGlass) await this.o.notifier?.breakGlass(promotion);
    await this.advance(promotion.id, {
      actor: requester,
      target,
      prefetched: { state, artifact, status, rules },
    });
    return this.get(promotion.id, credentials);
  }

  /** A rollback is a promotion of a digest the environment ran before, with a reason. */
  async rollback(
    ref: CompoundEntityRef,
    body: {
      environment: string;
      digest: string;
      reason: string;
      idempotencyKey?: string;
    },
    credentials: BackstageCredentials,
  ): Promise<Promotion> {
    return this.request(
      ref,
      {
        environment: body.environment,
        artifact: { digest: body.digest },
        reason: body.reason,
        idempotencyKey: body.idempotencyKey,
      },
      credentials,
      'rollback',
    );
  }

  // --- approvals and cancel ------------------------------------------------

  async decide(
    id: string,
    body: { decision: 'approve' | 'reject'; comment?: string },
    credentials: BackstageCredentials,
  ): Promise<Promotion> {
    const approver = await this.userRef(credentials);
    const promotion = await this.visible(id, credentials);
    await this.requireAllowed(slipwayPromotionApprovePermission, credentials, {
      entityRef: promotion.entityRef,
      environment: promotion.environment,
    });
    if (
      promotion.state !== 'awaiting-approval' &&
      promotion.state !== 'blocked'
    ) {
      throw new ConflictError(
        `Promotion ${id} is ${promotion.state}; it takes no approvals`,
      );
    }
    if (approver === promotion.requester) {
      throw new NotAllowedError(
        'The requester cannot approve their own promotion',
      );
    }
    const eligible = await this.approverGroups(promotion);
    const mine = (await this.ownershipOf([approver])).get(approver) ?? [];
    if (!mine.some(ref => eligible.includes(ref))) {
      throw new NotAllowedError(
        `Only members of ${
          eligible.join(', ') || 'an approval group'
        } can approve this promotion`,
      );
    }
    await this.o.store.addApproval({
      promotionId: id,
      approver,
      decision: body.decision,
      comment: body.comment,
      environment: promotion.environment,
      digest: promotion.artifact.digest,
      // Bound to what it approves now: this digest, this environment and the
      // policy versions that apply at this moment (THREATS 18).
      policies: (
        await this.policiesFor(await this.engineTarget(promotion))
      ).policies,
    });
    this.audit(`promotion-${body.decision}`, approver, promotion, {});
    await this.advance(id, { actor: approver });
    return this.get(id, credentials);
  }

  /** Groups whose members may approve, from the approval gates of the promotion's policy versions. */
  private async approverGroups(promotion: StoredPromotion): Promise<string[]> {
    const groups = new Set<string>();
    for (const ref of promotion.policies) {
      const versions = await this.o.policies.getHistory(ref.name);
      const version = versions.find(v => v.version === ref.version);
      const rule = version?.policy.environments[promotion.environment];
      for (const gate of rule?.gates ?? []) {
        if (gate.type === 'approvals') gate.groups.forEach(g => groups.add(g));
      }
    }
    return [...groups].sort();
  }

  async cancel(
    id: string,
    credentials: BackstageCredentials,
  ): Promise<Promotion> {
    const actor = await this.userRef(credentials);
    const promotion = await this.visible(id, credentials);
    if (actor !== promotion.requester) {
      await this.requireAllowed(
        slipwayPromotionOverridePermission,
        credentials,
        {
          entityRef: promotion.entityRef,
          environment: promotion.environment,
        },
      );
    }
    await this.o.store.transition(id, {
      from: ['requested', 'blocked', 'awaiting-approval'],
      to: 'cancelled',
      actor,
    });
    const cancelled = await this.o.store.getOrThrow(id);
    this.audit('promotion-cancel', actor, cancelled, {});
    await this.publish(cancelled);
    return cancelled;
  }

  // --- reading promotions --------------------------------------------------

  /** A promotion whose entity the caller can see; otherwise not found. */
  private async visible(
    id: string,
    credentials: BackstageCredentials,
  ): Promise<StoredPromotion> {
    const promotion = await this.o.store.get(id);
    const entity = promotion
      ? await this.o.catalog.getEntityByRef(promotion.entityRef, {
          credentials,
        })
      : undefined;
    if (!promotion || !entity)
      throw new NotFoundError(`Promotion ${id} not found`);
    return promotion;
  }

  async get(id: string, credentials: BackstageCredentials): Promise<Promotion> {
    return this.dto(await this.visible(id, credentials));
  }

  async list(
    query: {
      entityRef?: string;
      environment?: string;
      states?: PromotionState[];
      limit?: number;
      cursor?: string;
    },
    credentials: BackstageCredentials,
  ): Promise<{ items: Promotion[]; nextCursor?: string }> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
    const before = decodeSeqCursor(query.cursor);
    if (query.entityRef) {
      const entity = await this.o.catalog.getEntityByRef(query.entityRef, {
        credentials,
      });
      if (!entity)
        throw new NotFoundError(`Entity ${query.entityRef} not found`);
    }
    const rows = await this.o.store.list({
      entityRef: query.entityRef,
      environment: query.environment,
      states: query.states,
      limit: limit + 1,
      before,
    });
    // Only promotions of entities the caller can see.
    const refs = [...new Set(rows.map(r => r.entityRef))];
    const { items } = refs.length
      ? await this.o.catalog.getEntitiesByRefs(
          { entityRefs: refs, fields: ['kind', 'metadata.name'] },
          { credentials },
        )
      : { items: [] };
    const visible = new Set(refs.filter((_, i) => items[i]));
    const page = rows.slice(0, limit);
    return {
      items: page.filter(r => visible.has(r.entityRef)).map(r => this.dto(r)),
      nextCursor:
        rows.length > limit
          ? encodeSeqCursor(page[page.length - 1].seq)
          : undefined,
    };
  }

  private dto(promotion: StoredPromotion): Promotion {
    const { seq: _seq, previousDigest: _previous, ...rest } = promotion;
    return rest;
  }

  // --- freezes -------------------------------------------------------------

  async listFreezes(): Promise<Freeze[]> {
    return this.o.store.activeFreezes();
  }

  async freeze(
    body: {
      scope: Freeze['scope'];
      target?: string;
      reason: string;
      until?: string;
    },
    credentials: BackstageCredentials,
  ): Promise<Freeze> {
    const actor = await this.userRef(credentials);
    await this.requireAllowed(slipwayFreezeManagePermission, credentials);
    if (!body.reason?.trim()) throw new InputError('A freeze needs a reason');
    if ((body.scope === 'global') !== (body.target === undefined)) {
      throw new InputError(
        body.scope === 'global'
          ? 'A global freeze names no target'
          : `A ${body.scope} freeze needs a target`,
      );
    }
    if (body.until && !(Date.parse(body.until) > this.now().getTime())) {
      throw new InputError('until must be a time in the future');
    }
    const freeze = await this.o.store.createFreeze({
      ...body,
      createdBy: actor,
    });
    await this.announceFreeze('created', actor, freeze);
    return freeze;
  }

  async lift(id: string, credentials: BackstageCredentials): Promise<Freeze> {
    const actor = await this.userRef(credentials);
    await this.requireAllowed(slipwayFreezeManagePermission, credentials);
    const freeze = await this.o.store.liftFreeze(id, actor);
    await this.announceFreeze('lifted', actor, freeze);
    return freeze;
  }

  /** Audits a freeze change and tells open pages (the banners). */
  private async announceFreeze(
    action: 'created' | 'lifted',
    actor: string,
    freeze: Freeze,
  ): Promise<void> {
    this.o.logger.info(
      `Slipway freeze ${action}: ${freeze.scope} ${
        freeze.target ?? ''
      } by ${actor}`,
    );
    this.o.auditor
      ?.createEvent({
        eventId: action === 'created' ? 'freeze-create' : 'freeze-lift',
        severityLevel: 'medium',
        meta: {
          actor,
          freezeId: freeze.id,
          scope: freeze.scope,
          target: freeze.target ?? null,
          reason: freeze.reason,
        },
      })
      .then(event => event.success())
      .catch(() => undefined);
    await this.o.signals
      ?.publish({
        recipients: { type: 'broadcast' },
        channel: FREEZES_SIGNAL_CHANNEL,
        message: { action },
      })
      .catch(() => undefined);
  }

  private audit(
    eventId: string,
    actor: string,
    promotion: StoredPromotion,
    meta: Record<string, unknown>,
  ) {
    this.o.logger.info(
      `Slipway ${eventId}: ${promotion.id} ${promotion.entityRef} → ${promotion.environment} (${promotion.artifact.digest}) by ${actor}`,
    );
    this.o.auditor
      ?.createEvent({
        eventId,
        severityLevel: promotion.breakGlass ? 'high' : 'medium',
        meta: {
          actor,
          promotionId: promotion.id,
          entityRef: promotion.entityRef,
          environment: promotion.environment,
          digest: promotion.artifact.digest,
          ...meta,
        },
      })
      .then(event => event.success())
      .catch(() => undefined);
  }

  private async publish(promotion: StoredPromotion | Promotion) {
    await this.o.signals
      ?.publish({
        recipients: { type: 'broadcast' },
        channel: promotionSignalChannel(promotion.entityRef),
        message: { id: promotion.id, state: promotion.state },
      })
      .catch(() => undefined);
  }
}

/** Errors that say a write was refused and nothing was written. */
function isTerminalWriteError(error: unknown): boolean {
  return (
    error instanceof InputError ||
    error instanceof NotAllowedError ||
    error instanceof ConflictError ||
    error instanceof NotFoundError
  );
}

function encodeSeqCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ s: seq })).toString('base64url');
}

function decodeSeqCursor(cursor?: string): number | undefined {
  if (!cursor) return undefined;
  try {
    const { s } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Number.isInteger(s) && s > 0) return s;
  } catch {
    // fall through
  }
  throw new InputError('Invalid cursor');
}
