import { loadConfigSchema } from '@backstage/config-loader';
import path from 'node:path';

jest.setTimeout(120_000);

const SENTINEL = 'SENTINEL-frontend-4b1d';

describe('THREATS 10: credentials never reach the frontend config', () => {
  it('filters every Slipway credential out of what the browser receives', async () => {
    const schema = await loadConfigSchema({
      dependencies: [],
      packagePaths: [path.resolve(__dirname, '../package.json')],
      noUndeclaredProperties: false,
    });
    const data = {
      slipway: {
        argocd: {
          instances: [{ name: 'main', url: 'https://argo', token: SENTINEL }],
        },
        harbor: {
          url: 'https://harbor',
          username: 'robot',
          password: SENTINEL,
        },
        sonarqube: { url: 'https://sonar', token: SENTINEL },
        registries: [
          { host: 'r.example.com', username: 'bot', password: SENTINEL },
        ],
        webhooks: {
          githubSecret: SENTINEL,
          argocdSecret: SENTINEL,
          harborSecret: SENTINEL,
        },
      },
    };
    const frontend = schema.process([{ data, context: 'test' }], {
      visibility: ['frontend'],
      ignoreSchemaErrors: true,
    });
    expect(JSON.stringify(frontend)).not.toContain(SENTINEL);
    const secrets = schema.process([{ data, context: 'test' }], {
      visibility: ['secret'],
      ignoreSchemaErrors: true,
    });
    expect(JSON.stringify(secrets).split(SENTINEL).length - 1).toBe(7);
  });
});
