import { controllerWords } from './controllerWords';

describe('controllerWords', () => {
  it('names Argo CD when no controller is named', () => {
    expect(controllerWords(undefined)).toEqual(controllerWords('argocd'));
    expect(controllerWords('argocd')).toEqual({
      name: 'Argo CD',
      object: 'application',
      synced: 'synced',
      sync: 'sync',
      failedLabel: 'Sync failed',
      syncing: 'syncing',
      onItsOwn: 'syncs on its own',
      manually: 'syncs manually',
    });
  });

  it('names Flux and its Kustomization', () => {
    expect(controllerWords('flux')).toEqual({
      name: 'Flux',
      object: 'Kustomization',
      synced: 'applied',
      sync: 'reconciliation',
      failedLabel: 'Reconciliation failed',
      syncing: 'reconciling',
      onItsOwn: 'reconciles on its own',
      manually: 'reconciles when its source moves or a promotion asks',
    });
  });
});
