import { SecretHealth } from '../state';
import { secretsVerdict } from './secretsVerdict';

function secret(
  name: string,
  health: SecretHealth['health'],
  message?: string,
  kind: SecretHealth['kind'] = 'ExternalSecret',
): SecretHealth {
  return { kind, name, namespace: 'payments', health, message };
}

describe('secretsVerdict', () => {
  it('has no verdict when no secret objects are reported', () => {
    expect(secretsVerdict(undefined)).toBeUndefined();
    expect(secretsVerdict({})).toBeUndefined();
    expect(secretsVerdict({ secrets: [] })).toBeUndefined();
  });

  it('is healthy when every object is, and counts them', () => {
    expect(
      secretsVerdict({
        secrets: [
          secret('db-credentials', 'Healthy', 'Secret was synced'),
          secret('api-token', 'Healthy', undefined, 'SealedSecret'),
        ],
      }),
    ).toEqual({
      status: 'healthy',
      reason: 'All 2 secret objects are Healthy',
      total: 2,
      healthy: 2,
    });
  });

  it('names the one healthy object with its message', () => {
    expect(
      secretsVerdict({
        secrets: [secret('vault', 'Healthy', 'store validated', 'SecretStore')],
      }),
    ).toEqual({
      status: 'healthy',
      reason: 'SecretStore vault: Healthy — store validated',
      total: 1,
      healthy: 1,
    });
  });

  it.each([
    ['Degraded', 'degraded'],
    ['Missing', 'degraded'],
    ['Progressing', 'progressing'],
    ['Suspended', 'unknown'],
    ['Unknown', 'unknown'],
  ] as const)('an object %s makes the verdict %s', (health, status) => {
    expect(
      secretsVerdict({
        secrets: [secret('ok', 'Healthy'), secret('db-credentials', health)],
      }),
    ).toEqual({
      status,
      reason: `ExternalSecret db-credentials: ${health}`,
      total: 2,
      healthy: 1,
    });
  });

  it('names the failing object with the controller’s message', () => {
    expect(
      secretsVerdict({
        secrets: [
          secret(
            'db-credentials',
            'Degraded',
            'could not get secret data from provider',
          ),
          secret('api-token', 'Healthy', undefined, 'SealedSecret'),
        ],
      })?.reason,
    ).toBe(
      'ExternalSecret db-credentials: Degraded — could not get secret data from provider',
    );
  });

  it('keeps the reason on one line and leaves out an empty message', () => {
    expect(
      secretsVerdict({
        secrets: [secret('a', 'Degraded', '  no\n\tsuch   key  ')],
      })?.reason,
    ).toBe('ExternalSecret a: Degraded — no such key');
    expect(
      secretsVerdict({ secrets: [secret('a', 'Degraded', ' \n ')] })?.reason,
    ).toBe('ExternalSecret a: Degraded');
    expect(
      secretsVerdict({ secrets: [secret('a', 'Degraded', '')] })?.reason,
    ).toBe('ExternalSecret a: Degraded');
  });

  it('puts a failure before an unknown, an unknown before a wait', () => {
    const waiting = secret(
      'sealed',
      'Progressing',
      'Waiting for Sealed Secret to be decrypted',
      'SealedSecret',
    );
    const unknown = secret('store', 'Unknown', undefined, 'SecretStore');
    const failing = secret('db', 'Degraded', 'denied');
    expect(secretsVerdict({ secrets: [waiting, unknown, failing] })).toEqual({
      status: 'degraded',
      reason: 'ExternalSecret db: Degraded — denied',
      total: 3,
      healthy: 0,
    });
    expect(secretsVerdict({ secrets: [waiting, unknown] })).toEqual({
      status: 'unknown',
      reason: 'SecretStore store: Unknown',
      total: 2,
      healthy: 0,
    });
    expect(secretsVerdict({ secrets: [waiting] })).toEqual({
      status: 'progressing',
      reason:
        'SealedSecret sealed: Progressing — Waiting for Sealed Secret to be decrypted',
      total: 1,
      healthy: 0,
    });
  });

  it('names up to three failing objects, then says how many more', () => {
    const three = ['a', 'b', 'c'].map(n => secret(n, 'Degraded'));
    expect(secretsVerdict({ secrets: three })?.reason).toBe(
      'ExternalSecret a: Degraded; ExternalSecret b: Degraded; ExternalSecret c: Degraded',
    );
    const five = ['a', 'b', 'c', 'd', 'e'].map(n => secret(n, 'Missing'));
    expect(secretsVerdict({ secrets: five })).toEqual({
      status: 'degraded',
      reason:
        'ExternalSecret a: Missing; ExternalSecret b: Missing; ExternalSecret c: Missing; and 2 more',
      total: 5,
      healthy: 0,
    });
  });
});
