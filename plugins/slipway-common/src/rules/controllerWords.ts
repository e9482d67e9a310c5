/** The GitOps controllers Slipway reads. @public */
export type GitOpsController = 'argocd' | 'flux';

/** How verdicts name a controller and what it does. @public */
export interface ControllerWords {
  /** `Argo CD`, `Flux`. */
  name: string;
  /** What it keeps per environment: `application`, `Kustomization`. */
  object: string;
  /** Past participle of putting Git into the cluster: `synced`, `applied`. */
  synced: string;
  /** The noun: `sync`, `reconciliation`. */
  sync: string;
  /** The label of a failed one: `Sync failed`, `Reconciliation failed`. */
  failedLabel: string;
  /** `syncing`, `reconciling`. */
  syncing: string;
  /** What an `auto` environment does: `syncs on its own`. */
  onItsOwn: string;
  /** What a `manual` environment waits for. */
  manually: string;
}

const WORDS: Record<GitOpsController, ControllerWords> = {
  argocd: {
    name: 'Argo CD',
    object: 'application',
    synced: 'synced',
    sync: 'sync',
    failedLabel: 'Sync failed',
    syncing: 'syncing',
    onItsOwn: 'syncs on its own',
    manually: 'syncs manually',
  },
  flux: {
    name: 'Flux',
    object: 'Kustomization',
    synced: 'applied',
    sync: 'reconciliation',
    failedLabel: 'Reconciliation failed',
    syncing: 'reconciling',
    onItsOwn: 'reconciles on its own',
    manually: 'reconciles when its source moves or a promotion asks',
  },
};

/**
 * The words verdicts use for an environment's controller; Argo CD when
 * none is named (entities without a Flux selector). @public
 */
export function controllerWords(
  controller: GitOpsController | undefined,
): ControllerWords {
  return controller === 'flux' ? WORDS.flux : WORDS.argocd;
}
