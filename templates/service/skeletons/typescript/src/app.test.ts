import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createApp, health } from './app.ts';

describe('health', () => {
  it('reports ok', () => {
    assert.deepEqual(health('${{ values.name }}'), {
      status: 'ok',
      service: '${{ values.name }}',
    });
  });
});

describe('http server', () => {
  const server = createApp('${{ values.name }}');
  let base = '';

  before(async () => {
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => {
    server.close();
  });

  it('answers /healthz', async () => {
    const response = await fetch(`${base}/healthz`);
    assert.equal(response.status, 200);
    assert.equal((await response.json()).status, 'ok');
  });

  it('answers 404 elsewhere', async () => {
    const response = await fetch(`${base}/nope`);
    assert.equal(response.status, 404);
  });
});
