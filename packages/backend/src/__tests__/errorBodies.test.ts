import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import express from 'express';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../../../..');

/** The portal's production configuration, as the Dockerfile runs it. */
function productionConfig() {
  const data = parse(
    fs.readFileSync(path.join(ROOT, 'app-config.production.yaml'), 'utf8'),
  );
  return new ConfigReader(data);
}

async function errorBody(nodeEnv: string) {
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = nodeEnv;
  try {
    const middleware = MiddlewareFactory.create({
      config: productionConfig(),
      logger: mockServices.logger.mock(),
    });
    const app = express();
    app.get('/boom', () => {
      throw new Error(`failed reading ${__filename}`);
    });
    app.use(middleware.error());
    const response = await request(app).get('/boom');
    expect(response.status).toBe(500);
    return response.body;
  } finally {
    process.env.NODE_ENV = previous;
  }
}

describe('error bodies', () => {
  it('never carry stack traces under the production configuration', async () => {
    // The Dockerfile sets NODE_ENV=production for the production image.
    const dockerfile = fs.readFileSync(
      path.join(ROOT, 'packages/backend/Dockerfile'),
      'utf8',
    );
    expect(dockerfile).toMatch(/^ENV NODE_ENV=production$/m);
    const body = await errorBody('production');
    expect(body.error.name).toBe('Error');
    expect(body.error.stack).toBeUndefined();
    expect(JSON.stringify(body)).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('carry them only in development (the check above can fail)', async () => {
    const body = await errorBody('development');
    expect(body.error.stack).toContain('errorBodies.test.ts');
  });
});
