import express, { NextFunction, Request, Response, Router } from 'express';
import crypto from 'node:crypto';
import { ArgoApiError } from '../argocd/ArgoApiError';
import { ArgoCdController } from '../argocd/ArgoCdController';
import { CiSimulator } from '../ci/CiSimulator';
import { SANDBOX_BANNER } from '../defaults';
import { DEFAULT_FAULT_OWNER, FaultInjector } from '../faults/FaultInjector';
import { parseFaultRules } from '../faults/faultRules';
import { FluxController } from '../flux/FluxController';
import { GitRepositories } from '../git/GitRepositories';
import { RepoWatcher } from '../git/RepoWatcher';
import { BranchProtection } from '../github/BranchProtection';
import { GithubApiError, GithubService } from '../github/GithubService';
import { GitlabApiError, GitlabService } from '../gitlab/GitlabService';
import { HarborRegistry } from '../harbor/HarborRegistry';
import { SandboxUrls } from '../types';

const IMAGE_REFERENCE =
  /^[a-z0-9.:_/-]+(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

const CLIENT_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The client named by `X-Sandbox-Client`, or the default owner. */
function clientOf(req: Request): string {
  const value = req.header('x-sandbox-client');
  return value && CLIENT_ID.test(value) ? value : DEFAULT_FAULT_OWNER;
}

function tokenMatches(token: string, tokens: string[]): boolean {
  const given = Buffer.from(token);
  return tokens.some(candidate => {
    const wanted = Buffer.from(candidate);
    return (
      wanted.length === given.length && crypto.timingSafeEqual(wanted, given)
    );
  });
}

/** Admin API: health, state summary, fault injection and state twists. */
export function createAdminRouter(options: {
  faults: FaultInjector;
  repos: GitRepositories;
  watcher: RepoWatcher;
  ci: CiSimulator;
  harbor: HarborRegistry;
  argo: ArgoCdController;
  /** The Flux stand-in: Kustomizations in the state, suspend/resume. */
  flux?: FluxController;
  github: GithubService;
  protection: BranchProtection;
  /** The GitLab stand-in: merge requests are merged and closed here. */
  gitlab?: GitlabService;
  urls: () => SandboxUrls;
  /** Bearer tokens accepted on `/admin/*`. */
  adminTokens: string[];
}): Router {
  const { faults, argo } = options;
  const router = Router();
  router.use(express.json({ limit: '256kb' }));

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', sandbox: true, notice: SANDBOX_BANNER });
  });

  // Everything else needs the admin token: the admin API changes what every
  // client of the sandbox sees.
  router.use('/admin', (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!tokenMatches(token, options.adminTokens)) {
      res.status(401).json({ error: 'admin token required' });
      return;
    }
    next();
  });

  // Fault rules belong to the client that set them (X-Sandbox-Client), so
  // concurrent test clients never clear each other's faults.
  router.get('/admin/faults', (req, res) => {
    res.json({ rules: faults.list(req.query.all ? undefined : clientOf(req)) });
  });
  const setFaults = (append: boolean) => (req: Request, res: Response) => {
    const parsed = parseFaultRules(req.body);
    if ('errors' in parsed) {
      res
        .status(400)
        .json({ error: 'invalid fault rules', details: parsed.errors });
      return;
    }
    const owner = clientOf(req);
    if (append) faults.addRules(parsed.rules, owner);
    else faults.setRules(parsed.rules, owner);
    res.json({ rules: faults.list(owner) });
  };
  router.put('/admin/faults', setFaults(false));
  router.post('/admin/faults', setFaults(true));
  router.delete('/admin/faults', (req, res) => {
    faults.clear(clientOf(req));
    res.status(204).end();
  });
  router.delete('/admin/faults/:id', (req, res) => {
    if (!faults.remove(req.params.id, clientOf(req))) {
      res.status(404).json({ error: 'no such fault rule of this client' });
      return;
    }
    res.status(204).end();
  });

  router.get('/admin/state', async (_req, res, next) => {
    try {
      const repositories = [];
      for (const { owner, repo } of options.repos.list()) {
        repositories.push({
          fullName: `${owner}/${repo}`,
          head: await options.repos.resolveCommit(owner, repo, 'main'),
          runs: options.ci.runs.list(owner, repo).length,
          artifacts: options.harbor.artifactCount(owner, repo),
          protectedBranches: options.protection.list(owner, repo),
        });
      }
      res.json({
        sandbox: true,
        notice: SANDBOX_BANNER,
        urls: options.urls(),
        repositories,
        workflowRuns: options.ci.runs
          .all()
          .slice(-20)
          .map(run => ({
            id: run.id,
            repository: `${run.owner}/${run.repo}`,
            headSha: run.headSha,
            status: run.status,
            conclusion: run.conclusion,
          })),
        applications: argo.list().map(app => ({
          name: app.definition.name,
          sync: argo.syncStatus(app),
          health: app.health.status,
          operation: app.operation?.phase,
          revision: app.liveRevision,
          images: argo.workloadImages(argo.liveObjects(app)),
          canary: app.rollout
            ? {
                step: app.rollout.stepIndex,
                weight: app.rollout.weight,
                held: app.rollout.held,
              }
            : undefined,
        })),
        kustomizations: options.flux?.listKustomizations().map(k => ({
          name: `${k.namespace}/${k.name}`,
          ready: options.flux?.condition(k, 'Ready')?.status,
          reason: options.flux?.condition(k, 'Ready')?.reason,
          suspended: options.flux?.suspended(k),
          revision: k.lastAppliedRevision,
          images: options.flux?.workloadImages(k),
        })),
        faults: faults.list(),
      });
    } catch (error) {
      next(error);
    }
  });

  router.post('/admin/applications/:name/drift', (req, res) => {
    const image = (req.body ?? {}).image;
    if (
      image !== undefined &&
      (typeof image !== 'string' ||
        image.length > 300 ||
        !IMAGE_REFERENCE.test(image))
    ) {
      res
        .status(400)
        .json({ error: 'image must be an image reference like host/repo:tag' });
      return;
    }
    try {
      const app = argo.drift(req.params.name, image);
      res.json({
        name: app.definition.name,
        sync: argo.syncStatus(app),
        driftImage: app.driftImage,
      });
    } catch (error) {
      res
        .status(error instanceof ArgoApiError ? error.status : 500)
        .json({ error: String((error as Error).message) });
    }
  });

  router.post('/admin/applications/:name/promote', (req, res) => {
    try {
      const app = argo.promoteRollout(req.params.name);
      res.json({
        name: app.definition.name,
        health: app.health.status,
        step: app.rollout?.stepIndex,
      });
    } catch (error) {
      res
        .status(error instanceof ArgoApiError ? error.status : 500)
        .json({ error: String((error as Error).message) });
    }
  });

  // The condition a secrets operator would report on an ExternalSecret,
  // SecretStore or SealedSecret (the stand-in runs none): `True` (the
  // default), `False` with the operator's message, or `none` (not yet).
  router.post('/admin/applications/:name/secrets/:kind/:object', (req, res) => {
    const { status, message } = req.body ?? {};
    if (
      !['True', 'False', 'none'].includes(status) ||
      (message !== undefined &&
        (typeof message !== 'string' || message.length > 1000))
    ) {
      res.status(400).json({
        error:
          'body must be { "status": "True"|"False"|"none", "message"?: string }',
      });
      return;
    }
    try {
      const app = argo.setSecretCondition(
        req.params.name,
        req.params.kind,
        req.params.object,
        { status, message },
      );
      res.json({
        name: app.definition.name,
        kind: req.params.kind,
        object: req.params.object,
        status,
      });
    } catch (error) {
      res
        .status(error instanceof ArgoApiError ? error.status : 500)
        .json({ error: String((error as Error).message) });
    }
  });

  // `flux suspend` / `flux resume` of a Kustomization (the stand-in's PATCH
  // takes annotations only).
  router.post(
    '/admin/flux/kustomizations/:namespace/:name/suspend',
    (req, res) => {
      const suspend = (req.body ?? {}).suspend;
      const k = options.flux?.getKustomization(
        req.params.namespace,
        req.params.name,
      );
      if (typeof suspend !== 'boolean') {
        res
          .status(400)
          .json({ error: 'body must be { "suspend": true|false }' });
        return;
      }
      if (!k || !options.flux) {
        res.status(404).json({ error: 'no such Kustomization' });
        return;
      }
      options.flux.setSuspended(k, suspend);
      res.json({
        name: `${k.namespace}/${k.name}`,
        suspended: options.flux.suspended(k),
      });
    },
  );

  // Branch protection and pull requests: what a repository admin and a
  // reviewer do on GitHub, for tests and demos.
  const githubAction =
    (action: (req: Request) => Promise<unknown>) =>
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        res.json(await action(req));
      } catch (error) {
        if (error instanceof GithubApiError) {
          res.status(error.status).json({ error: error.message });
          return;
        }
        next(error);
      }
    };
  const pullNumber = (value: string) => {
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed <= 0) {
      throw new GithubApiError(404, 'Not Found');
    }
    return parsed;
  };
  router.put(
    '/admin/repos/:owner/:repo/branches/*/protection',
    githubAction(async req => {
      const enabled = (req.body ?? {}).protected;
      if (typeof enabled !== 'boolean') {
        throw new GithubApiError(
          400,
          'body must be { "protected": true|false }',
        );
      }
      return options.github.setBranchProtection(
        req.params.owner,
        req.params.repo,
        req.params[0],
        enabled,
      );
    }),
  );
  router.post(
    '/admin/repos/:owner/:repo/pulls/:number/merge',
    githubAction(req =>
      options.github.mergePull(
        req.params.owner,
        req.params.repo,
        pullNumber(req.params.number),
        req.body && typeof req.body === 'object' ? req.body : {},
      ),
    ),
  );
  router.post(
    '/admin/repos/:owner/:repo/pulls/:number/close',
    githubAction(req =>
      options.github.updatePull(
        req.params.owner,
        req.params.repo,
        pullNumber(req.params.number),
        { state: 'closed' },
      ),
    ),
  );

  // A verification workflow's result (smoke tests, K6) on the commit that
  // built an image: the commit status `slipway/verify/<environment>/<check>`
  // naming the digest, as docs/policies.md says the workflow reports it.
  router.post(
    '/admin/repos/:owner/:repo/verifications',
    githubAction(async req => {
      const input = (req.body ?? {}) as Record<string, unknown>;
      const { environment, check, state, digest } = input;
      const ref = typeof input.ref === 'string' ? input.ref : 'main';
      if (
        typeof environment !== 'string' ||
        !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(environment) ||
        typeof check !== 'string' ||
        !/^[a-z][a-z0-9_-]{0,62}$/.test(check) ||
        typeof state !== 'string' ||
        (digest !== undefined &&
          (typeof digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(digest)))
      ) {
        throw new GithubApiError(
          400,
          'body must be { "environment", "check", "state": "pending|success|failure|error", "digest"?: "sha256:…", "ref"?: "<commit or branch>" }',
        );
      }
      await options.github.getRepository(req.params.owner, req.params.repo);
      const sha = await options.repos.resolveCommit(
        req.params.owner,
        req.params.repo,
        ref,
      );
      if (!sha) throw new GithubApiError(404, `No commit found for ${ref}`);
      return options.github.createCommitStatus(
        req.params.owner,
        req.params.repo,
        sha,
        {
          state,
          context: `slipway/verify/${environment}/${check}`,
          description: `${check} ${state} in ${environment}${
            digest ? ` for ${digest}` : ''
          }`,
        },
      );
    }),
  );

  // Merge requests on the GitLab side: what a maintainer does in GitLab.
  const gitlabAction =
    (action: (gitlab: GitlabService, req: Request) => Promise<unknown>) =>
    async (req: Request, res: Response, next: NextFunction) => {
      if (!options.gitlab) {
        res.status(404).json({ error: 'not found' });
        return;
      }
      try {
        res.json(await action(options.gitlab, req));
      } catch (error) {
        if (error instanceof GitlabApiError) {
          res.status(error.status).json({ error: error.message });
          return;
        }
        next(error);
      }
    };
  const mergeRequestIid = (value: string) => {
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed <= 0) {
      throw new GitlabApiError(404, { message: '404 Not found' });
    }
    return parsed;
  };
  router.post(
    '/admin/gitlab/projects/:group/:project/merge_requests/:iid/merge',
    gitlabAction((gitlab, req) =>
      gitlab.mergeMergeRequest(
        `${req.params.group}/${req.params.project}`,
        mergeRequestIid(req.params.iid),
        req.body && typeof req.body === 'object' ? req.body : {},
      ),
    ),
  );
  router.post(
    '/admin/gitlab/projects/:group/:project/merge_requests/:iid/close',
    gitlabAction((gitlab, req) =>
      gitlab.closeMergeRequest(
        `${req.params.group}/${req.params.project}`,
        mergeRequestIid(req.params.iid),
      ),
    ),
  );

  router.post('/admin/refresh', async (_req, res, next) => {
    try {
      for (const { owner, repo } of options.repos.list()) {
        await options.watcher.check(owner, repo);
      }
      await argo.refresh();
      await options.flux?.refresh();
      res.json({ refreshed: true });
    } catch (error) {
      next(error);
    }
  });

  router.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not found' });
  });
  router.use(
    (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      if (
        error &&
        typeof error === 'object' &&
        (error as { type?: string }).type === 'entity.parse.failed'
      ) {
        res.status(400).json({ error: 'body is not valid JSON' });
        return;
      }
      res.status(500).json({ error: 'internal sandbox error' });
    },
  );
  return router;
}
