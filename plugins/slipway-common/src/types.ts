/** How Argo CD brings an environment up to date. @public */
export type SyncMode = 'auto' | 'manual';

/** An environment a service is delivered to, in promotion order. @public */
export interface SlipwayEnvironment {
  name: string;
  syncMode: SyncMode;
}

/** One annotation Slipway reads, and what it found on the entity. @public */
export interface AnnotationFinding {
  annotation: string;
  purpose: string;
  value?: string;
  /** Set when the value is present but unusable. */
  problem?: string;
}

/**
 * What Slipway knows about an entity from its annotations and the portal's
 * configuration, before asking any upstream system.
 *
 * @public
 */
export interface EntityDeployConfig {
  entityRef: string;
  annotations: AnnotationFinding[];
  /** Annotations that must be added before Slipway can show deploy state. */
  missing: string[];
  gitops?: { repo: string; path: string };
  image?: string;
  argocd?: { appSelector?: string; appName?: string; instance?: string };
  /**
   * The entity's Flux objects (`slipway.dev/flux-selector`): an entity with
   * it reads its live state from Flux, not Argo CD. `cluster` is the
   * configured cluster (`slipway.dev/flux-cluster`; default: the first).
   */
  flux?: { selector: string; cluster?: string };
  ci?: { provider: 'github' | 'gitlab'; projectSlug: string };
  registry?: { harborRepositorySlug: string };
  quality?: { sonarqubeProjectKey: string };
  environments: SlipwayEnvironment[];
  /** Providers installed in the backend, by kind. */
  providers: { kind: ProviderKind; id: string }[];
}

/** Kinds of provider adopters can install through slipway-node. @public */
export type ProviderKind =
  | 'ci'
  | 'artifacts'
  | 'quality'
  | 'delivery'
  | 'gitops';
