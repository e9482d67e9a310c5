import express, { NextFunction, Request, Response, Router } from 'express';
import {
  matchesLabelSelector,
  parseLabelSelector,
} from '../argocd/labelSelector';
import { matchesSecret, parseToken } from '../http/auth';
import { FluxController } from './FluxController';
import { HELM_API, KUSTOMIZE_API, SOURCE_API } from './fluxLayout';
import {
  deploymentJson,
  gitRepositoryJson,
  kustomizationJson,
  listJson,
} from './fluxObjects';
import { KubeApiError, notFound } from './KubeApiError';

/** The service account the read token stands for, named in 403s. */
const READER = 'system:serviceaccount:flux-system:slipway-reader';
const MERGE_PATCH = 'application/merge-patch+json';
const ANNOTATION_KEY =
  /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

function sendError(res: Response, error: unknown) {
  if (error instanceof KubeApiError) {
    res.status(error.code).json(error.toJSON());
    return;
  }
  const internal = new KubeApiError(
    500,
    'InternalError',
    'an error on the server ("internal sandbox error") has prevented the request from succeeding',
  );
  res.status(500).json(internal.toJSON());
}

function selectorOf(req: Request) {
  const text =
    typeof req.query.labelSelector === 'string' ? req.query.labelSelector : '';
  const selector = parseLabelSelector(text);
  if (!selector) {
    throw new KubeApiError(
      400,
      'BadRequest',
      `unable to parse requirement: invalid label selector: "${text}"`,
    );
  }
  return selector;
}

/**
 * Reads a merge patch the stand-in accepts: only `metadata.annotations`
 * (values string, or null to remove). Anything else is 422 Invalid.
 */
function annotationPatch(
  body: unknown,
  kind: string,
  group: string,
  name: string,
): Record<string, string | null> {
  const invalid = (field: string, detail: string) =>
    new KubeApiError(
      422,
      'Invalid',
      `${kind}.${group} "${name}" is invalid: ${field}: ${detail}`,
      { name, group, kind },
    );
  const only =
    "Forbidden: the sandbox's Kubernetes API stand-in accepts changes to metadata.annotations only";
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid('<body>', 'Invalid value: a JSON merge patch object');
  }
  for (const field of Object.keys(body)) {
    if (field !== 'metadata') throw invalid(field, only);
  }
  const meta = (body as { metadata?: unknown }).metadata;
  if (meta === undefined) return {};
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) {
    throw invalid('metadata', only);
  }
  for (const field of Object.keys(meta)) {
    if (field !== 'annotations') throw invalid(`metadata.${field}`, only);
  }
  const annotations = (meta as { annotations?: unknown }).annotations;
  if (annotations === undefined) return {};
  if (
    !annotations ||
    typeof annotations !== 'object' ||
    Array.isArray(annotations)
  ) {
    throw invalid('metadata.annotations', 'Invalid value: an object');
  }
  const result: Record<string, string | null> = {};
  for (const [annotation, value] of Object.entries(annotations)) {
    if (!ANNOTATION_KEY.test(annotation) || annotation.length > 316) {
      throw invalid(
        `metadata.annotations`,
        `Invalid value: "${annotation.slice(0, 100)}": not a qualified name`,
      );
    }
    if (value !== null && (typeof value !== 'string' || value.length > 4096)) {
      throw invalid(
        `metadata.annotations[${annotation}]`,
        'Invalid value: a string of at most 4096 characters, or null',
      );
    }
    result[annotation] = value as string | null;
  }
  return result;
}

/**
 * The Kubernetes API subset Slipway's Flux provider calls, on its own port:
 * Kustomizations and GitRepositories (list with `labelSelector`, get, merge
 * PATCH of annotations), HelmReleases (lists; none seeded) and the
 * Deployments Kustomizations applied. Errors are `Status` objects.
 */
export function createFluxRouter(options: {
  controller: FluxController;
  /** Tokens that may read (GET) only. */
  readTokens: string[];
  /** Tokens that may also PATCH (request reconciliation). */
  writeTokens: string[];
  owner: string;
  gitopsRepo: string;
  /** The GitOps clone URL served in GitRepository specs. */
  gitopsCloneUrl: () => string;
}): Router {
  const { controller } = options;
  const suffix = `/git/${options.owner}/${options.gitopsRepo}.git`;
  const router = Router();

  router.use((req: Request, res: Response, next: NextFunction) => {
    const token = parseToken(req.headers);
    const canWrite = matchesSecret(token, options.writeTokens);
    if (!canWrite && !matchesSecret(token, options.readTokens)) {
      sendError(res, new KubeApiError(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    res.locals.fluxCanWrite = canWrite;
    next();
  });

  const handle =
    (handler: (req: Request, res: Response) => Promise<unknown> | unknown) =>
    async (req: Request, res: Response) => {
      try {
        res.json(await handler(req, res));
      } catch (error) {
        sendError(res, error);
      }
    };

  const kustomization = (k: Parameters<typeof kustomizationJson>[1]) =>
    kustomizationJson(controller, k);
  const gitRepository = (r: Parameters<typeof gitRepositoryJson>[1]) =>
    gitRepositoryJson(controller, r, options.gitopsCloneUrl(), suffix);

  const resources = [
    {
      apiVersion: KUSTOMIZE_API,
      kind: 'Kustomization',
      plural: 'kustomizations',
      list: () => controller.listKustomizations().map(kustomization),
      get: (namespace: string, name: string) => {
        const k = controller.getKustomization(namespace, name);
        return k && { state: k, json: () => kustomization(k) };
      },
      patch: async (
        namespace: string,
        name: string,
        annotations: Record<string, string | null>,
      ) => {
        const k = controller.getKustomization(namespace, name)!;
        controller.patchKustomization(k, annotations);
        return kustomization(k);
      },
    },
    {
      apiVersion: SOURCE_API,
      kind: 'GitRepository',
      plural: 'gitrepositories',
      list: () => controller.listGitRepositories().map(gitRepository),
      get: (namespace: string, name: string) => {
        const r = controller.getGitRepository(namespace, name);
        return r && { state: r, json: () => gitRepository(r) };
      },
      patch: async (
        namespace: string,
        name: string,
        annotations: Record<string, string | null>,
      ) => {
        const r = controller.getGitRepository(namespace, name)!;
        await controller.patchGitRepository(r, annotations);
        return gitRepository(r);
      },
    },
  ];

  for (const resource of resources) {
    const base = `/apis/${resource.apiVersion}`;
    const group = resource.apiVersion.split('/')[0];
    const listOf = (req: Request, namespace?: string) => {
      const selector = selectorOf(req);
      const items = resource
        .list()
        .filter(
          item =>
            (namespace === undefined ||
              item.metadata.namespace === namespace) &&
            matchesLabelSelector(selector, item.metadata.labels),
        );
      return listJson(
        resource.apiVersion,
        resource.kind,
        controller.resourceVersion,
        items,
      );
    };
    router.get(
      `${base}/${resource.plural}`,
      handle(req => listOf(req)),
    );
    router.get(
      `${base}/namespaces/:namespace/${resource.plural}`,
      handle(req => listOf(req, req.params.namespace)),
    );
    router.get(
      `${base}/namespaces/:namespace/${resource.plural}/:name`,
      handle(req => {
        const found = resource.get(req.params.namespace, req.params.name);
        if (!found) throw notFound(resource.plural, group, req.params.name);
        return found.json();
      }),
    );
    router.patch(
      `${base}/namespaces/:namespace/${resource.plural}/:name`,
      (req: Request, res: Response, next: NextFunction) => {
        // RBAC first: the read token's answer does not tell whether the object exists.
        if (res.locals.fluxCanWrite !== true) {
          sendError(
            res,
            new KubeApiError(
              403,
              'Forbidden',
              `${resource.plural}.${group} "${req.params.name}" is forbidden: User "${READER}" cannot patch resource "${resource.plural}" in API group "${group}" in the namespace "${req.params.namespace}"`,
              { name: req.params.name, group, kind: resource.plural },
            ),
          );
          return;
        }
        if (!req.is(MERGE_PATCH)) {
          sendError(
            res,
            new KubeApiError(
              415,
              'UnsupportedMediaType',
              `the body of the request was in an unknown format - accepted media types include: ${MERGE_PATCH}`,
            ),
          );
          return;
        }
        next();
      },
      express.json({ type: MERGE_PATCH, limit: '256kb', strict: false }),
      handle(async req => {
        const { namespace, name } = req.params;
        if (!resource.get(namespace, name)) {
          throw notFound(resource.plural, group, name);
        }
        const annotations = annotationPatch(
          req.body,
          resource.kind,
          group,
          name,
        );
        return resource.patch(namespace, name, annotations);
      }),
    );
  }

  // HelmReleases: the provider lists them; the sandbox seeds none.
  const helmGroup = HELM_API.split('/')[0];
  const helmList = (req: Request) => {
    selectorOf(req);
    return listJson(HELM_API, 'HelmRelease', controller.resourceVersion, []);
  };
  router.get(
    `/apis/${HELM_API}/helmreleases`,
    handle(req => helmList(req)),
  );
  router.get(
    `/apis/${HELM_API}/namespaces/:namespace/helmreleases`,
    handle(req => helmList(req)),
  );
  router.get(
    `/apis/${HELM_API}/namespaces/:namespace/helmreleases/:name`,
    handle(req => {
      throw notFound('helmreleases', helmGroup, req.params.name);
    }),
  );

  router.get(
    '/apis/apps/v1/namespaces/:namespace/deployments/:name',
    handle(req => {
      const deployment = deploymentJson(
        controller,
        req.params.namespace,
        req.params.name,
      );
      if (!deployment) throw notFound('deployments', 'apps', req.params.name);
      return deployment;
    }),
  );

  router.use((_req: Request, res: Response) => {
    sendError(
      res,
      new KubeApiError(
        404,
        'NotFound',
        'the server could not find the requested resource',
      ),
    );
  });
  router.use(
    (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      if (
        error &&
        typeof error === 'object' &&
        (error as { type?: string }).type === 'entity.parse.failed'
      ) {
        sendError(
          res,
          new KubeApiError(
            400,
            'BadRequest',
            'error decoding patch: invalid JSON',
          ),
        );
        return;
      }
      sendError(res, error);
    },
  );
  return router;
}
