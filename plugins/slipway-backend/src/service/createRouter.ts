import { HttpAuthService } from '@backstage/backend-plugin-api';
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import { SlipwayEnvironment } from '@slipway/plugin-slipway-common';
import express from 'express';
import { spec } from '../schema/openapi.generated';
import { EntityConfigService } from './EntityConfigService';
import { PolicyService } from './PolicyService';

/** Thin HTTP layer: validated by the OpenAPI description, logic in services. */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  environments: SlipwayEnvironment[];
  entityConfig: EntityConfigService;
  policies: PolicyService;
}): Promise<express.Router> {
  const { httpAuth, environments, entityConfig, policies } = options;
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

  return router;
}
