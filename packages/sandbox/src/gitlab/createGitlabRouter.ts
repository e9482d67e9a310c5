import express, { NextFunction, Request, Response, Router } from 'express';
import { matchesSecret, parseToken } from '../http/auth';
import { GitlabApiError, GitlabService } from './GitlabService';

function query(req: Request): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(req.query)) {
    result[key] = typeof value === 'string' ? value : undefined;
  }
  return result;
}

function sendError(res: Response, error: unknown) {
  if (error instanceof GitlabApiError) {
    res.status(error.status).json(error.body);
    return;
  }
  res.status(500).json({ message: '500 Internal Server Error' });
}

/** The token of `PRIVATE-TOKEN`, `Authorization: Bearer` or `?private_token=`, as GitLab reads them. */
function tokenOf(req: Request): string | undefined {
  const header = req.headers['private-token'];
  if (typeof header === 'string' && header) return header;
  const bearer = parseToken(req.headers);
  if (bearer) return bearer;
  return typeof req.query.private_token === 'string'
    ? req.query.private_token
    : undefined;
}

/**
 * The GitLab REST v4 subset Slipway's GitOps gateway uses, mounted at
 * `/api/v4`: list and create merge requests of a project (`:id` is the
 * numeric id or the URL-encoded `group/project` path). Exactly what the
 * gateway calls; merging and closing are done as a reviewer would, through
 * the admin API.
 */
export function createGitlabRouter(options: {
  service: GitlabService;
  tokens: string[];
}): Router {
  const { service, tokens } = options;
  const router = Router();
  router.use(express.json({ limit: '2mb' }));
  router.use(express.urlencoded({ extended: false, limit: '2mb' }));
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (!matchesSecret(tokenOf(req), tokens)) {
      res.status(401).json({ message: '401 Unauthorized' });
      return;
    }
    next();
  });

  const body = (req: Request): Record<string, unknown> =>
    req.body && typeof req.body === 'object' && !Array.isArray(req.body)
      ? req.body
      : {};

  router.get(
    '/projects/:id/merge_requests',
    async (req: Request, res: Response) => {
      try {
        const page = await service.listMergeRequests(req.params.id, query(req));
        const pages = Math.max(1, Math.ceil(page.total / page.perPage));
        res.setHeader('x-page', String(page.page));
        res.setHeader('x-per-page', String(page.perPage));
        res.setHeader('x-total', String(page.total));
        res.setHeader('x-total-pages', String(pages));
        res.setHeader(
          'x-next-page',
          page.page < pages ? String(page.page + 1) : '',
        );
        res.setHeader(
          'x-prev-page',
          page.page > 1 ? String(page.page - 1) : '',
        );
        res.status(200).json(page.items);
      } catch (error) {
        sendError(res, error);
      }
    },
  );
  router.post(
    '/projects/:id/merge_requests',
    async (req: Request, res: Response) => {
      try {
        res
          .status(201)
          .json(await service.createMergeRequest(req.params.id, body(req)));
      } catch (error) {
        sendError(res, error);
      }
    },
  );
  router.use((_req: Request, res: Response) => {
    res.status(404).json({ error: '404 Not Found' });
  });
  router.use(
    (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      if (
        error &&
        typeof error === 'object' &&
        (error as { type?: string }).type === 'entity.parse.failed'
      ) {
        res.status(400).json({ error: 'The request body is not valid JSON' });
        return;
      }
      sendError(res, error);
    },
  );
  return router;
}
