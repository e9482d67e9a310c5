import { HttpAuthService } from '@backstage/backend-plugin-api';
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import { InputError } from '@backstage/errors';
import { SlipwayEnvironment } from '@slipway/plugin-slipway-common';
import express from 'express';
import Router from 'express-promise-router';
import { spec } from '../schema/openapi.generated';
import { DeployStateService } from '../state/DeployStateService';
import { WebhookService, WebhookSource } from '../webhooks/WebhookService';
import { EntityConfigService } from './EntityConfigService';
import { PolicyService } from './PolicyService';

/** Largest webhook body accepted; larger ones are refused with 413. */
export const MAX_WEBHOOK_BYTES = 256 * 1024;

const WEBHOOK_SOURCES: WebhookSource[] = ['argocd', 'github', 'harbor'];

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The DTO interfaces of slipway-common have no index signature, which the
 * types generated from the OpenAPI description ask for; the shapes match.
 */
function dto<T>(value: T): any {
  return value;
}

/** Thin HTTP layer: validated by the OpenAPI description, logic in services. */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  environments: SlipwayEnvironment[];
  entityConfig: EntityConfigService;
  policies: PolicyService;
  deployState?: DeployStateService;
  webhooks?: WebhookService;
}): Promise<express.Router> {
  const {
    httpAuth,
    environments,
    entityConfig,
    policies,
    deployState,
    webhooks,
  } = options;
  const outer = Router();

  // Webhooks read the raw body (signatures are over bytes), so they sit
  // before the JSON parser; they are opened with addAuthPolicy in plugin.ts.
  outer.post(
    '/webhooks/:source',
    express.raw({ type: () => true, limit: MAX_WEBHOOK_BYTES }),
    async (req, res) => {
      const source = req.params.source as WebhookSource;
      if (!WEBHOOK_SOURCES.includes(source) || !webhooks) {
        throw new InputError(`Unknown webhook source`);
      }
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      webhooks.verify(source, body, req.headers);
      await webhooks.handle(source, body);
      res.status(202).json({ accepted: true });
    },
  );

  const router = createValidatedOpenApiRouter(spec);
  router.use(express.json({ limit: '256kb' }));

  router.get('/environments', async (_req, res) => {
    res.json({ items: environments });
  });

  router.get('/entities/:kind/:namespace/:name/config', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { kind, namespace, name } = req.params;
    res.json(
      await entityConfig.getConfig({ kind, namespace, name }, credentials),
    );
  });

  if (deployState) {
    router.get('/entities/:kind/:namespace/:name/state', async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const { kind, namespace, name } = req.params;
      res.json(
        dto(
          await deployState.getEntityState(
            { kind, namespace, name },
            credentials,
          ),
        ),
      );
    });

    router.get('/entities/:kind/:namespace/:name/history', async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const { kind, namespace, name } = req.params;
      res.json(
        dto(
          await deployState.getEntityHistory(
            { kind, namespace, name },
            credentials,
            {
              environment: optionalString(req.query.environment),
              limit:
                req.query.limit === undefined
                  ? undefined
                  : Number(req.query.limit),
              cursor: optionalString(req.query.cursor),
            },
          ),
        ),
      );
    });

    router.get('/fleet', async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      res.json(
        dto(
          await deployState.getFleet(credentials, {
            owner: optionalString(req.query.owner),
            system: optionalString(req.query.system),
            environment: optionalString(req.query.environment),
            limit:
              req.query.limit === undefined
                ? undefined
                : Number(req.query.limit),
            cursor: optionalString(req.query.cursor),
          }),
        ),
      );
    });
  }

  router.get('/policies', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    res.json({ items: await policies.list(credentials) });
  });

  router.get('/policies/:policyName', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
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
    const credentials = await httpAuth.credentials(req);
    res.json({
      items: await policies.history(req.params.policyName, credentials),
    });
  });

  outer.use(router);
  return outer;
}
