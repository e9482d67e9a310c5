import { randomBytes } from 'node:crypto';
import express, { NextFunction, Request, Response, Router } from 'express';
import { GitRepositories, isoSeconds } from '../git/GitRepositories';
import { matchesSecret, parseToken } from '../http/auth';
import { ArgoApiError, GRPC } from './ArgoApiError';
import { ArgoAppDefinition, ArgoCdController } from './ArgoCdController';
import { applicationJson, managedResources, resourceTree } from './argoObjects';
import { matchesLabelSelector, parseLabelSelector } from './labelSelector';

function sendError(res: Response, error: unknown) {
  if (error instanceof ArgoApiError) {
    res.status(error.status).json(error.toJSON());
    return;
  }
  res.status(500).json({
    error: 'internal sandbox error',
    code: 13,
    message: 'internal sandbox error',
  });
}

function cookieToken(req: Request): string | undefined {
  const cookie = req.headers.cookie;
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === 'argocd.token') return value.join('=');
  }
  return undefined;
}

function list(value: unknown): string[] {
  if (Array.isArray(value))
    return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? value.split(',').filter(Boolean) : [];
}

/** The Argo CD API subset, mounted at `/api/v1`. */
export function createArgoCdRouter(options: {
  controller: ArgoCdController;
  repos: GitRepositories;
  owner: string;
  gitopsRepo: string;
  /** Read-only tokens: every read, 403 `permission denied` on sync and terminate. */
  staticTokens: string[];
  /** Tokens that may also sync and terminate (sessions of the admin user may too). */
  writeTokens: string[];
  username: string;
  password: string;
}): Router {
  const { controller, repos } = options;
  const sessions: string[] = [];
  const router = Router();
  router.use(express.json({ limit: '1mb' }));

  router.post('/session', (req: Request, res: Response) => {
    const body = (req.body ?? {}) as { username?: unknown; password?: unknown };
    const ok =
      typeof body.username === 'string' &&
      typeof body.password === 'string' &&
      matchesSecret(body.username, [options.username]) &&
      matchesSecret(body.password, [options.password]);
    if (!ok) {
      res.status(401).json({
        error: 'Invalid username or password',
        code: GRPC.Unauthenticated,
        message: 'Invalid username or password',
      });
      return;
    }
    const token = `sandbox-session.${randomBytes(24).toString('hex')}`;
    sessions.push(token);
    if (sessions.length > 1000) sessions.shift();
    res.json({ token });
  });

  router.use((req: Request, res: Response, next: NextFunction) => {
    const token = parseToken(req.headers) ?? cookieToken(req);
    if (!token) {
      res.status(401).json({
        error: 'no session information',
        code: GRPC.Unauthenticated,
        message: 'no session information',
      });
      return;
    }
    const canWrite = matchesSecret(token, [
      ...options.writeTokens,
      ...sessions,
    ]);
    if (!canWrite && !matchesSecret(token, options.staticTokens)) {
      res.status(401).json({
        error: 'invalid session: token signature is invalid',
        code: GRPC.Unauthenticated,
        message: 'invalid session: token signature is invalid',
      });
      return;
    }
    res.locals.argocdCanWrite = canWrite;
    next();
  });

  /**
   * Argo CD RBAC: the read-only account may get applications but not sync
   * them or terminate their operations. Checked before the application is
   * looked up, so the answer does not tell whether it exists.
   */
  const requireWrite = (res: Response, action: string, name: string) => {
    if (res.locals.argocdCanWrite === true) return;
    let object = name;
    try {
      object = `${controller.get(name).definition.project}/${name}`;
    } catch {
      // unknown application: same answer
    }
    throw new ArgoApiError(
      403,
      GRPC.PermissionDenied,
      `permission denied: applications, ${action}, ${object}, sub: slipway-readonly`,
    );
  };

  const handle =
    (handler: (req: Request, res: Response) => Promise<unknown> | unknown) =>
    async (req: Request, res: Response) => {
      try {
        res.json(await handler(req, res));
      } catch (error) {
        sendError(res, error);
      }
    };

  router.get(
    '/applications',
    handle(req => {
      const selectorText =
        typeof req.query.selector === 'string' ? req.query.selector : '';
      const selector = parseLabelSelector(selectorText);
      if (!selector) {
        throw new ArgoApiError(
          400,
          GRPC.InvalidArgument,
          `error parsing labels selector: "${selectorText}"`,
        );
      }
      const projects = [
        ...list(req.query.projects),
        ...list(req.query.project),
      ];
      const name =
        typeof req.query.name === 'string' ? req.query.name : undefined;
      const items = controller
        .list()
        .filter(app => matchesLabelSelector(selector, app.definition.labels))
        .filter(
          app =>
            projects.length === 0 || projects.includes(app.definition.project),
        )
        .filter(app => !name || app.definition.name === name)
        .map(app => applicationJson(controller, app));
      const resourceVersion = String(
        controller.list().reduce((sum, app) => sum + app.resourceVersion, 0),
      );
      return { metadata: { resourceVersion }, items };
    }),
  );

  router.post(
    '/applications',
    handle(async req => {
      const definition = applicationDefinition(
        (req.body ?? {}) as Record<string, any>,
        options,
      );
      const app = await controller.createApplication(
        definition,
        req.query.upsert === 'true',
      );
      return applicationJson(controller, app);
    }),
  );

  router.get(
    '/applications/:name',
    handle(req => applicationJson(controller, controller.get(req.params.name))),
  );
  router.get(
    '/applications/:name/resource-tree',
    handle(req => resourceTree(controller, controller.get(req.params.name))),
  );
  router.get(
    '/applications/:name/managed-resources',
    handle(req =>
      managedResources(controller, controller.get(req.params.name)),
    ),
  );
  router.post(
    '/applications/:name/sync',
    handle((req, res) => {
      requireWrite(res, 'sync', req.params.name);
      const body = (req.body ?? {}) as { revision?: unknown };
      const app = controller.sync(req.params.name, {
        revision: typeof body.revision === 'string' ? body.revision : undefined,
        username: options.username,
      });
      return applicationJson(controller, app);
    }),
  );
  router.delete(
    '/applications/:name/operation',
    handle((req, res) => {
      requireWrite(res, 'sync', req.params.name);
      controller.terminate(req.params.name);
      return {};
    }),
  );
  router.get(
    '/applications/:name/revisions/:revision/metadata',
    handle(async req => {
      controller.get(req.params.name);
      const commit = await repos.getCommit(
        options.owner,
        options.gitopsRepo,
        req.params.revision,
      );
      if (!commit) {
        throw new ArgoApiError(
          404,
          GRPC.NotFound,
          `revision ${req.params.revision} not found`,
        );
      }
      return {
        author: `${commit.author.name} <${commit.author.email}>`,
        date: commit.author.date,
        tags: [],
        message: commit.message.replace(/\n+$/, ''),
        signatureInfo: '',
      };
    }),
  );
  router.get('/version', (_req, res) => {
    res.json({ Version: 'v3.1.0+sandbox', Platform: 'linux/amd64' });
  });
  router.use((_req: Request, res: Response) => {
    res
      .status(404)
      .json({ error: 'Not Found', code: GRPC.NotFound, message: 'Not Found' });
  });
  router.use(
    (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      if (
        error &&
        typeof error === 'object' &&
        (error as { type?: string }).type === 'entity.parse.failed'
      ) {
        res.status(400).json({
          error: 'invalid JSON body',
          code: GRPC.InvalidArgument,
          message: 'invalid JSON body',
        });
        return;
      }
      sendError(res, error);
    },
  );
  return router;
}

/**
 * Reads an Application manifest (POST body, or a file the app-of-apps finds in
 * the GitOps repository) into the controller's definition, refusing sources
 * other than the sandbox's GitOps repository.
 */
export function applicationDefinition(
  body: Record<string, any>,
  options: { owner: string; gitopsRepo: string },
): ArgoAppDefinition {
  const name = body.metadata?.name;
  if (
    typeof name !== 'string' ||
    !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)
  ) {
    throw new ArgoApiError(
      400,
      GRPC.InvalidArgument,
      'application name is invalid',
    );
  }
  const spec = body.spec ?? {};
  const repoURL = spec.source?.repoURL;
  const expectedSuffix = `/git/${options.owner}/${options.gitopsRepo}.git`;
  if (typeof repoURL !== 'string' || !repoURL.endsWith(expectedSuffix)) {
    throw new ArgoApiError(
      400,
      GRPC.InvalidArgument,
      `application repo ${String(
        repoURL,
      )} is not permitted in project '${String(spec.project)}'`,
    );
  }
  if (
    typeof spec.source?.path !== 'string' ||
    typeof spec.project !== 'string' ||
    !spec.destination?.namespace
  ) {
    throw new ArgoApiError(
      400,
      GRPC.InvalidArgument,
      'spec.project, spec.source.path and spec.destination.namespace are required',
    );
  }
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(body.metadata?.labels ?? {})) {
    if (typeof value === 'string') labels[key] = value;
  }
  return {
    name,
    project: spec.project,
    labels,
    repoURL,
    path: spec.source.path.replace(/^\/+|\/+$/g, ''),
    targetRevision:
      typeof spec.source.targetRevision === 'string' &&
      spec.source.targetRevision !== 'HEAD'
        ? spec.source.targetRevision
        : 'main',
    destinationServer:
      spec.destination.server ?? 'https://kubernetes.default.svc',
    destinationNamespace: spec.destination.namespace,
    automated: Boolean(spec.syncPolicy?.automated),
    createdAt: isoSeconds(Date.now()),
  };
}
