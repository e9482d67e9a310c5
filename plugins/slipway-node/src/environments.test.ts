import { ConfigReader } from '@backstage/config';
import { DEFAULT_ENVIRONMENTS, readEnvironments } from './environments';

describe('readEnvironments', () => {
  it('defaults to dev (auto), staging and prod (manual), as copies', () => {
    const environments = readEnvironments(new ConfigReader({}));
    expect(environments).toEqual([
      { name: 'dev', syncMode: 'auto' },
      { name: 'staging', syncMode: 'manual' },
      { name: 'prod', syncMode: 'manual' },
    ]);
    environments[0].syncMode = 'manual';
    expect(DEFAULT_ENVIRONMENTS[0].syncMode).toBe('auto');
  });

  it('reads the configured environments, sync mode manual unless auto', () => {
    expect(
      readEnvironments(
        new ConfigReader({
          slipway: {
            environments: [{ name: 'qa', syncMode: 'auto' }, { name: 'live' }],
          },
        }),
      ),
    ).toEqual([
      { name: 'qa', syncMode: 'auto' },
      { name: 'live', syncMode: 'manual' },
    ]);
  });

  it.each([
    [[{ name: 'Prod' }], /not a DNS-1123 label/],
    [[{ name: 'dev' }, { name: 'dev' }], /appears twice/],
    [[{ name: 'dev', syncMode: 'sometimes' }], /must be auto or manual/],
  ])('fails start-up on bad config %j', (environments, message) => {
    expect(() =>
      readEnvironments(new ConfigReader({ slipway: { environments } })),
    ).toThrow(message);
  });
});
