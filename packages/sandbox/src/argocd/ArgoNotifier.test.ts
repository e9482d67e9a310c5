import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  ARGOCD_WRITE,
  sendJson,
  startTestSandbox,
  TestSandbox,
  waitFor,
} from '../__testUtils__/sandboxHarness';

// Integration tests: they start servers, git and kubectl on a 2-core machine.
jest.setTimeout(60_000);

const SECRET = 'sentinel-webhook-secret-4f1c';

describe('Argo CD notifications (webhook)', () => {
  let sandbox: TestSandbox;
  let receiver: http.Server;
  const received: { headers: http.IncomingHttpHeaders; body: any }[] = [];

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let text = '';
      req.on('data', chunk => (text += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(text) });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>(resolve =>
      receiver.listen(0, '127.0.0.1', resolve),
    );
    const { port } = receiver.address() as AddressInfo;
    sandbox = await startTestSandbox({
      argocdWebhook: { url: `http://127.0.0.1:${port}/hook`, secret: SECRET },
    });
  }, 90_000);

  afterAll(async () => {
    await sandbox.close();
    await new Promise(resolve => receiver.close(resolve));
  });

  it('posts application changes with the shared secret, never logging it', async () => {
    const sync = await sendJson(
      'POST',
      `${sandbox.sandbox.urls.argocd}/api/v1/applications/checkout-web-staging/sync`,
      ARGOCD_WRITE,
      {},
    );
    expect(sync.status).toBe(200);
    const event = await waitFor(
      async () =>
        received.find(
          r =>
            r.body.application === 'checkout-web-staging' &&
            r.body.operation === 'Succeeded',
        ),
      { what: 'a notification for the finished sync', timeoutMs: 30_000 },
    );
    expect(event.headers['x-slipway-webhook-secret']).toBe(SECRET);
    expect(event.body).toMatchObject({
      event: 'on-app-changed',
      app: 'checkout-web',
      environment: 'staging',
    });
    expect(sandbox.logs.join('\n')).not.toContain(SECRET);
  });
});
