import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import { SlipwayEnvironment } from '@slipway/plugin-slipway-common';
import express from 'express';
import Router from 'express-promise-router';
import { createOpenApiRouter, spec } from './schema/openapi.generated';
import { EntityConfigService } from './service/EntityConfigService';
import { PolicyService } from './service/PolicyService';
import { isDatabaseUnavailable } from './service/serviceCalls';
import { DeployStateService } from './state/DeployStateService';
import { FleetService } from './state/FleetService';
import { PromotionService } from './promotion/PromotionService';
import { RetentionService } from './retention/RetentionService';
import { WebhookService, WebhookSource } from './webhooks/WebhookService';

/** The streamed state's media type: one JSON document per line. */
const NDJSON = 'application/x-ndjson';

/**
 * Answers newline-delimited JSON, one line per value `produce` writes, each
 * flushed at once. Headers go with the first line, so a failure before it
 * (not found, not allowed) is an ordinary error answer; a failure after it
 * cuts the stream, which the client reads as incomplete, never as a state.
 */
async function writeNdjson<T>(
  res: express.Response,
  produce: (write: (value: T) => void) => Promise<unknown>,
): Promise<void> {
  const write = (value: T) => {
    if (!res.headersSent) {
      res.status(200);
      res.setHeader('Content-Type', `${NDJSON}; charset=utf-8`);
      // Compression (and proxies) must pass each line on, not buffer them.
      res.setHeader('Cache-Control', 'no-cache, no-transform');
      res.setHeader('X-Accel-Buffering', 'no');
    }
    res.write(`${JSON.stringify(value)}\n`);
    (res as express.Response & { flush?: () => void }).flush?.();
  };
  try {
    await produce(write);
  } catch (error) {
    if (!res.headersSent) throw error;
    res.destroy(error as Error);
    return;
  }
  res.end();
}

/** Largest webhook body accepted; larger ones are refused with 413. */
export const MAX_WEBHOOK_BYTES = 256 * 1024;

/** Webhook sources, as the spec enumerates them. */
const WEBHOOK_SOURCES: readonly string[] =
  spec.paths['/webhooks/{source}'].post.parameters[0].schema.enum;

/** Query parameters the spec types as integers, wherever they appear. */
const INTEGER_QUERY_PARAMETERS: readonly string[] = [
  ...new Set(
    (
      Object.values(spec.components.parameters) as {
        name: string;
        in: string;
        schema?: { type?: string };
      }[]
    )
      .filter(p => p.in === 'query' && p.schema?.type === 'integer')
      .map(p => p.name),
  ),
];

/** What the router needs from each service: only the calls it makes. */
export interface RouterOptions {
  httpAuth: HttpAuthService;
  environments: SlipwayEnvironment[];
  entityConfig: Pick<EntityConfigService, 'getConfig'>;
  policies: Pick<PolicyService, 'list' | 'get' | 'save' | 'history'>;
  deployState?: Pick<
    DeployStateService,
    'getEntityState' | 'getEntityHistory'
  > &
    Partial<Pick<DeployStateService, 'streamEntityState'>>;
  fleet?: Pick<FleetService, 'getFleet'>;
  webhooks?: Pick<WebhookService, 'verify' | 'handle'>;
  promotions?: Pick<
    PromotionService,
    | 'preview'
    | 'request'
    | 'rollback'
    | 'list'
    | 'get'
    | 'decide'
    | 'cancel'
    | 'listFreezes'
    | 'freeze'
    | 'lift'
  >;
  retention?: Pick<RetentionService, 'getReport'>;
}

/**
 * Thin HTTP layer. Requests are validated against the OpenAPI description and
 * every handler's parameters, query, body and JSON answer are typed from it
 * (`schema/openapi.types.generated.ts`), so a service returning something the
 * spec does not describe fails to compile. Logic lives in the services, which
 * throw `@backstage/errors` types.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    httpAuth,
    environments,
    entityConfig,
    policies,
    deployState,
    fleet,
    webhooks,
    promotions,
    retention,
  } = options;
  const outer = Router();

  // Webhooks read the raw body (signatures are over bytes), so they sit
  // before the JSON parser; they are opened with addAuthPolicy in plugin.ts.
  outer.post(
    '/webhooks/:source',
    express.raw({ type: () => true, limit: MAX_WEBHOOK_BYTES }),
    async (req, res) => {
      const source = req.params.source;
      if (!WEBHOOK_SOURCES.includes(source) || !webhooks) {
        throw new InputError(`Unknown webhook source`);
      }
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      webhooks.verify(source as WebhookSource, body, req.headers);
      await webhooks.handle(source as WebhookSource, body);
      res.status(202).json({ accepted: true });
    },
  );

  const router = createOpenApiRouter({
    middleware: [express.json({ limit: '256kb' })],
  });

  // The validator coerces query strings to numbers (`1e2`, `0x10`, `+5`
  // would pass as 100, 16, 5): integers in the query are decimal digits only.
  outer.use((req, _res, next) => {
    for (const name of INTEGER_QUERY_PARAMETERS) {
      const value = req.query[name];
      if (
        value !== undefined &&
        !(typeof value === 'string' && /^[0-9]{1,9}$/.test(value))
      ) {
        throw new InputError(`Invalid ${name}: decimal digits only`);
      }
    }
    next();
  });

  router.get('/environments', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ items: environments });
  });

  router.get('/entities/:kind/:namespace/:name/config', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    res.json(await entityConfig.getConfig(req.params, credentials));
  });

  if (deployState) {
    router.get('/entities/:kind/:namespace/:name/state', async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      res.vary('Accept');
      if (
        !deployState.streamEntityState ||
        req.accepts(['application/json', NDJSON]) !== NDJSON
      ) {
        res.json(await deployState.getEntityState(req.params, credentials));
        return;
      }
      const stream = deployState.streamEntityState.bind(deployState);
      await writeNdjson(res, write => stream(req.params, credentials, write));
    });

    router.get('/entities/:kind/:namespace/:name/history', async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const { environment, limit, cursor } = req.query;
      res.json(
        await deployState.getEntityHistory(req.params, credentials, {
          environment,
          limit: toNumber(limit),
          cursor: cursor || undefined,
        }),
      );
    });
  }

  if (fleet) {
    router.get('/fleet', async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const { owner, system, environment, limit, cursor } = req.query;
      const { q, attention, sort, order } = req.query;
      res.json(
        await fleet.getFleet(credentials, {
          owner: owner || undefined,
          system: system || undefined,
          environment,
          limit: toNumber(limit),
          cursor: cursor || undefined,
          ...(q?.trim() ? { q: q.trim() } : {}),
          ...(attention !== undefined
            ? { attention: toBoolean(attention) }
            : {}),
          ...(sort ? { sort } : {}),
          ...(order ? { order } : {}),
        }),
      );
    });
  }

  router.get('/policies', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    res.json({ items: await policies.list(credentials) });
  });

  router.get('/policies/:policyName', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    res.json(await policies.get(req.params.policyName, credentials));
  });

  router.put('/policies/:policyName', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const { policy, expectedVersion, comment } = req.body;
    res.json(
      await policies.save(
        { name: req.params.policyName, policy, expectedVersion, comment },
        credentials,
        req,
      ),
    );
  });

  router.get('/policies/:policyName/versions', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    res.json({
      items: await policies.history(req.params.policyName, credentials),
    });
  });

  if (promotions) {
    // Promotions change what runs: only users, never services, and the
    // permission is decided in the service on the entity and environment
    // taken from the path, never from the body.
    router.post(
      '/entities/:kind/:namespace/:name/promotions/preview',
      async (req, res) => {
        const credentials = await httpAuth.credentials(req, {
          allow: ['user'],
        });
        res.json(await promotions.preview(req.params, req.body, credentials));
      },
    );

    router.post(
      '/entities/:kind/:namespace/:name/promotions',
      async (req, res) => {
        const credentials = await httpAuth.credentials(req, {
          allow: ['user'],
        });
        res
          .status(201)
          .json(await promotions.request(req.params, req.body, credentials));
      },
    );

    router.post(
      '/entities/:kind/:namespace/:name/rollbacks',
      async (req, res) => {
        const credentials = await httpAuth.credentials(req, {
          allow: ['user'],
        });
        res
          .status(201)
          .json(await promotions.rollback(req.params, req.body, credentials));
      },
    );

    router.get('/promotions', async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const { entityRef, environment, state, limit, cursor } = req.query;
      res.json(
        await promotions.list(
          {
            entityRef: entityRef || undefined,
            environment,
            states: state ? [state] : undefined,
            limit: toNumber(limit),
            cursor: cursor || undefined,
          },
          credentials,
        ),
      );
    });

    router.get('/promotions/:promotionId', async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      res.json(await promotions.get(req.params.promotionId, credentials));
    });

    router.post('/promotions/:promotionId/decisions', async (req, res) => {
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      res.json(
        await promotions.decide(req.params.promotionId, req.body, credentials),
      );
    });

    router.post('/promotions/:promotionId/cancel', async (req, res) => {
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      res.json(await promotions.cancel(req.params.promotionId, credentials));
    });

    router.get('/freezes', async (req, res) => {
      await httpAuth.credentials(req, { allow: ['user', 'service'] });
      res.json({ items: await promotions.listFreezes() });
    });

    router.post('/freezes', async (req, res) => {
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      res.status(201).json(await promotions.freeze(req.body, credentials));
    });

    router.delete('/freezes/:freezeId', async (req, res) => {
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      res.json(await promotions.lift(req.params.freezeId, credentials));
    });
  }

  if (retention) {
    // Platform admins only: the service checks slipway.retention.read.
    router.get('/retention', async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      res.json(await retention.getReport(credentials));
    });
  }

  outer.use(router);
  // The database unreachable (a restart, a failover) is the platform
  // failing: 503, so that clients retry, not a 500.
  outer.use(
    (
      error: unknown,
      _req: express.Request,
      _res: express.Response,
      next: express.NextFunction,
    ) => {
      next(
        isDatabaseUnavailable(error)
          ? new ServiceUnavailableError(
              'The database could not be reached; nothing was changed, try again',
              error,
            )
          : error,
      );
    },
  );
  return outer;
}

/**
 * Query values reach the handler as the URL's text (the validator checks
 * them against the spec without coercing), whatever the typed shape says.
 */
/** A boolean query parameter: `true` or `false`, nothing else. */
function toBoolean(value: boolean | string): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new InputError('Invalid boolean: true or false only');
}

function toNumber(value: number | string | undefined): number | undefined {
  return value === undefined || value === '' ? undefined : Number(value);
}
