import { applicationFor } from './applicationFor';

const dev = { name: 'dev', syncMode: 'auto' as const };
const prod = { name: 'prod', syncMode: 'manual' as const };

describe('applicationFor', () => {
  const labelled = { environment: 'dev', id: 'labelled' };
  const bare = { environment: undefined, id: 'bare' };

  it('takes the Application labelled with the environment', () => {
    expect(
      applicationFor([bare, labelled], 'dev', {
        argocd: { appSelector: 'slipway.dev/app=x' },
        environments: [dev, prod],
      }),
    ).toBe(labelled);
  });

  it('accepts argocd/app-name: one unlabelled Application for a single environment', () => {
    expect(
      applicationFor([bare], 'dev', {
        argocd: { appName: 'x-dev' },
        environments: [dev],
      }),
    ).toBe(bare);
  });

  it('never guesses the environment of an unlabelled Application otherwise', () => {
    expect(
      applicationFor([bare], 'dev', {
        argocd: { appName: 'x-dev' },
        environments: [dev, prod],
      }),
    ).toBeUndefined();
    expect(
      applicationFor([bare], 'dev', {
        argocd: { appSelector: 'a=b' },
        environments: [dev],
      }),
    ).toBeUndefined();
    expect(
      applicationFor(undefined, 'dev', {
        argocd: { appName: 'x' },
        environments: [dev],
      }),
    ).toBeUndefined();
  });
});
