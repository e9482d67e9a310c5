/**
 * Catalog annotations read by Slipway. Ecosystem annotations are reused so
 * Slipway sits beside the plugins people already run.
 *
 * @public
 */
export const SLIPWAY_ANNOTATIONS = {
  githubProjectSlug: 'github.com/project-slug',
  gitlabProjectSlug: 'gitlab.com/project-slug',
  argocdAppSelector: 'argocd/app-selector',
  argocdAppName: 'argocd/app-name',
  argocdInstanceName: 'argocd/instance-name',
  fluxSelector: 'slipway.dev/flux-selector',
  fluxCluster: 'slipway.dev/flux-cluster',
  harborRepositorySlug: 'goharbor.io/repository-slug',
  sonarqubeProjectKey: 'sonarqube.org/project-key',
  gitopsRepo: 'slipway.dev/gitops-repo',
  gitopsPath: 'slipway.dev/gitops-path',
  image: 'slipway.dev/image',
  environments: 'slipway.dev/environments',
} as const;

/** @public */
export type SlipwayAnnotationKey = keyof typeof SLIPWAY_ANNOTATIONS;
