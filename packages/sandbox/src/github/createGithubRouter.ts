import express, { NextFunction, Request, Response, Router } from 'express';
import { matchesSecret, parseToken } from '../http/auth';
import { GithubApiError, GithubService } from './GithubService';

const DOCS = 'https://docs.github.com/enterprise-server@3.19/rest';

type Handler = (
  req: Request,
) => Promise<{ status?: number; body?: unknown } | unknown>;

function query(req: Request): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(req.query)) {
    result[key] = typeof value === 'string' ? value : undefined;
  }
  return result;
}

function sendError(res: Response, error: unknown) {
  if (error instanceof GithubApiError) {
    res.status(error.status).json({
      message: error.message,
      ...(error.errors ? { errors: error.errors } : {}),
      documentation_url: DOCS,
      status: String(error.status),
    });
    return;
  }
  res.status(500).json({
    message: 'Internal sandbox error',
    documentation_url: DOCS,
    status: '500',
  });
}

/** The GitHub Enterprise REST subset, mounted at `/api/v3`. */
export function createGithubRouter(options: {
  service: GithubService;
  tokens: string[];
}): Router {
  const { service, tokens } = options;
  const router = Router();
  router.use(express.json({ limit: '10mb' }));
  router.use((req: Request, res: Response, next: NextFunction) => {
    res.setHeader('x-github-media-type', 'github.v3; format=json');
    res.setHeader('x-github-api-version-selected', '2022-11-28');
    res.setHeader('x-ratelimit-limit', '5000');
    res.setHeader('x-ratelimit-remaining', '4999');
    res.setHeader(
      'x-ratelimit-reset',
      String(Math.floor(Date.now() / 1000) + 3600),
    );
    if (!matchesSecret(parseToken(req.headers), tokens)) {
      res.status(401).json({
        message: 'Bad credentials',
        documentation_url: DOCS,
        status: '401',
      });
      return;
    }
    next();
  });

  const route = (handler: Handler) => async (req: Request, res: Response) => {
    try {
      const result = (await handler(req)) as {
        status?: number;
        body?: unknown;
      };
      if (
        result &&
        typeof result === 'object' &&
        'body' in result &&
        'status' in result
      ) {
        if (result.body === undefined) {
          res.status(result.status ?? 204).end();
        } else {
          res.status(result.status ?? 200).json(result.body);
        }
        return;
      }
      res.status(200).json(result);
    } catch (error) {
      sendError(res, error);
    }
  };
  const body = (req: Request): Record<string, unknown> =>
    req.body && typeof req.body === 'object' && !Array.isArray(req.body)
      ? req.body
      : {};
  const number = (value: string) => {
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed <= 0)
      throw new GithubApiError(404, 'Not Found');
    return parsed;
  };

  router.get(
    '/user',
    route(async () => service.currentUser()),
  );
  router.get(
    '/users/:username',
    route(async req => service.user(req.params.username)),
  );
  router.post(
    '/orgs/:org/repos',
    route(async req => ({
      status: 201,
      body: await service.createRepository(req.params.org, body(req)),
    })),
  );
  router.post(
    '/user/repos',
    route(async req => ({
      status: 201,
      body: await service.createRepository(
        service.currentUser().login,
        body(req),
      ),
    })),
  );
  router.get(
    '/repos/:owner/:repo',
    route(req => service.getRepository(req.params.owner, req.params.repo)),
  );

  router.get(
    ['/repos/:owner/:repo/contents', '/repos/:owner/:repo/contents/*'],
    async (req: Request, res: Response, next: NextFunction) => {
      // `Accept: application/vnd.github.raw` (or `.v3.raw`) asks for the
      // file's bytes instead of the JSON description, as on GitHub.
      if (
        !/application\/vnd\.github(\.v3)?\.raw/.test(req.headers.accept ?? '')
      ) {
        next();
        return;
      }
      try {
        const contents = (await service.getContents(
          req.params.owner,
          req.params.repo,
          req.params[0] ?? '',
          query(req).ref,
        )) as { type?: string; content?: string };
        if (Array.isArray(contents) || contents.type !== 'file') {
          throw new GithubApiError(404, 'Not Found');
        }
        res.setHeader('x-github-media-type', 'github.v3; param=raw');
        res
          .status(200)
          .type('application/vnd.github.raw')
          .send(Buffer.from(contents.content ?? '', 'base64'));
      } catch (error) {
        sendError(res, error);
      }
    },
    route(req =>
      service.getContents(
        req.params.owner,
        req.params.repo,
        req.params[0] ?? '',
        query(req).ref,
      ),
    ),
  );
  router.put(
    '/repos/:owner/:repo/contents/*',
    route(async req => {
      const result = await service.putContents(
        req.params.owner,
        req.params.repo,
        req.params[0],
        body(req),
      );
      return { status: result.created ? 201 : 200, body: result.body };
    }),
  );

  router.get(
    '/repos/:owner/:repo/branches/*/protection',
    route(req =>
      service.getBranchProtection(
        req.params.owner,
        req.params.repo,
        req.params[0],
      ),
    ),
  );

  router.get(
    '/repos/:owner/:repo/git/ref/*',
    route(req =>
      service.getRef(req.params.owner, req.params.repo, req.params[0]),
    ),
  );
  router.get(
    '/repos/:owner/:repo/git/matching-refs/*',
    route(req =>
      service.listRefs(req.params.owner, req.params.repo, req.params[0]),
    ),
  );
  router.get(
    '/repos/:owner/:repo/git/refs',
    route(req => service.listRefs(req.params.owner, req.params.repo, '')),
  );
  router.get(
    '/repos/:owner/:repo/git/refs/*',
    route(req =>
      service.getRefOrMatching(
        req.params.owner,
        req.params.repo,
        req.params[0],
      ),
    ),
  );
  router.post(
    '/repos/:owner/:repo/git/refs',
    route(async req => ({
      status: 201,
      body: await service.createRef(
        req.params.owner,
        req.params.repo,
        body(req),
      ),
    })),
  );
  router.patch(
    '/repos/:owner/:repo/git/refs/*',
    route(req =>
      service.updateRef(
        req.params.owner,
        req.params.repo,
        req.params[0],
        body(req),
      ),
    ),
  );
  router.delete(
    '/repos/:owner/:repo/git/refs/*',
    route(async req => {
      await service.deleteRef(req.params.owner, req.params.repo, req.params[0]);
      return { status: 204, body: undefined };
    }),
  );
  router.get(
    '/repos/:owner/:repo/git/commits/:sha',
    route(req =>
      service.getGitCommit(req.params.owner, req.params.repo, req.params.sha),
    ),
  );
  // Before `commits/*`, which would take `{ref}/statuses` for a ref.
  router.get(
    '/repos/:owner/:repo/commits/:ref/statuses',
    route(req =>
      service.listCommitStatuses(
        req.params.owner,
        req.params.repo,
        req.params.ref,
        query(req),
      ),
    ),
  );
  router.post(
    '/repos/:owner/:repo/statuses/:sha',
    route(async req => ({
      status: 201,
      body: await service.createCommitStatus(
        req.params.owner,
        req.params.repo,
        req.params.sha,
        body(req),
      ),
    })),
  );
  router.get(
    '/repos/:owner/:repo/commits/*',
    route(req =>
      service.getCommit(req.params.owner, req.params.repo, req.params[0]),
    ),
  );

  router.post(
    '/repos/:owner/:repo/pulls',
    route(async req => ({
      status: 201,
      body: await service.createPull(
        req.params.owner,
        req.params.repo,
        body(req),
      ),
    })),
  );
  router.get(
    '/repos/:owner/:repo/pulls',
    route(req =>
      service.listPulls(req.params.owner, req.params.repo, query(req)),
    ),
  );
  router.get(
    '/repos/:owner/:repo/pulls/:number',
    route(req =>
      service.getPull(
        req.params.owner,
        req.params.repo,
        number(req.params.number),
      ),
    ),
  );
  router.patch(
    '/repos/:owner/:repo/pulls/:number',
    route(req =>
      service.updatePull(
        req.params.owner,
        req.params.repo,
        number(req.params.number),
        body(req),
      ),
    ),
  );
  router.put(
    '/repos/:owner/:repo/pulls/:number/merge',
    route(req =>
      service.mergePull(
        req.params.owner,
        req.params.repo,
        number(req.params.number),
        body(req),
      ),
    ),
  );

  router.get(
    '/repos/:owner/:repo/actions/runs',
    route(req =>
      service.listRuns(req.params.owner, req.params.repo, query(req)),
    ),
  );
  router.get(
    '/repos/:owner/:repo/actions/runs/:id',
    route(req =>
      service.getRun(req.params.owner, req.params.repo, number(req.params.id)),
    ),
  );
  router.get(
    '/repos/:owner/:repo/actions/runs/:id/jobs',
    route(req =>
      service.listJobs(
        req.params.owner,
        req.params.repo,
        number(req.params.id),
      ),
    ),
  );

  router.use((_req: Request, res: Response) => {
    res
      .status(404)
      .json({ message: 'Not Found', documentation_url: DOCS, status: '404' });
  });
  router.use(
    (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      if (
        error &&
        typeof error === 'object' &&
        (error as { type?: string }).type === 'entity.parse.failed'
      ) {
        res.status(400).json({
          message: 'Problems parsing JSON',
          documentation_url: DOCS,
          status: '400',
        });
        return;
      }
      sendError(res, error);
    },
  );
  return router;
}
