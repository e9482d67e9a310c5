import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import request from 'supertest';
import { createRouter } from '../router';
import { RetentionService } from './RetentionService';

// Builds an express app and the OpenAPI validator per test.
jest.setTimeout(60_000);

async function startRouter(
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY,
) {
  const permissions = mockServices.permissions.mock({
    authorize: async requests => requests.map(() => ({ result })),
  });
  const retention = RetentionService.create({
    catalog: catalogServiceMock({ entities: [] }),
    auth: mockServices.auth(),
    permissions,
    deployState: {} as any,
    cache: mockServices.cache.mock(),
    logger: mockServices.logger.mock(),
    config: {
      enabled: false,
      schedule: { frequency: { hours: 24 }, timeout: { minutes: 30 } },
      keepRollbackCandidates: 5,
      keepLastPushed: 10,
    },
  });
  const router = await createRouter({
    httpAuth: mockServices.httpAuth(),
    environments: [],
    entityConfig: { getConfig: jest.fn() },
    policies: {
      list: jest.fn(),
      get: jest.fn(),
      save: jest.fn(),
      history: jest.fn(),
    },
    retention,
  });
  return {
    app: express().use(router).use(mockErrorHandler()),
    permissions,
  };
}

describe('GET /retention', () => {
  it('answers the last run to whoever holds slipway.retention.read, in the shape the spec gives', async () => {
    const { app, permissions } = await startRouter(AuthorizeResult.ALLOW);
    const res = await request(app).get('/retention');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      enabled: false,
      status: 'never-run',
      keepLastPushed: 10,
      keepRollbackCandidates: 5,
      entities: 0,
      protected: [],
      unprotectable: [],
      projects: [],
      problems: [],
    });
    expect(permissions.authorize).toHaveBeenCalledWith(
      [
        {
          permission: expect.objectContaining({
            name: 'slipway.retention.read',
          }),
        },
      ],
      expect.anything(),
    );
  });

  it('refuses everyone else (403), and callers without credentials (401)', async () => {
    const { app } = await startRouter(AuthorizeResult.DENY);
    expect((await request(app).get('/retention')).status).toBe(403);
    const anonymous = await request(app)
      .get('/retention')
      .set('authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
  });
});
