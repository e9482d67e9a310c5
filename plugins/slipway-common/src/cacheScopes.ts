import { repositoryName } from './repository';

/**
 * Invalidation scopes of cached upstream reads: every read names the scope
 * it belongs to, and a webhook invalidates scopes. Change them here only.
 */

/** Scope of everything read from a GitOps repository, by its `owner/name`. @public */
export function gitopsScope(repository: string): string {
  return `gitops:${repository.toLowerCase()}`;
}

/** Scope of a GitOps repository, from its URL. @public */
export function gitopsScopeOfUrl(repoUrl: string): string {
  return gitopsScope(repositoryName(repoUrl));
}

/** Scope of a CI project's runs, by its slug (`owner/name`). @public */
export function ciScope(projectSlug: string): string {
  return `ci:${projectSlug.toLowerCase()}`;
}

/** Scope of a registry repository's artifacts, by its slug. @public */
export function artifactsScope(repositorySlug: string): string {
  return `artifacts:${repositorySlug.toLowerCase()}`;
}

/** Scope of delivery (Argo CD) data read for every app at once (the fleet). @public */
export const DELIVERY_SCOPE = 'delivery';

/** Scope of the Argo CD Applications of one app (its `slipway.dev/app` value). @public */
export function deliveryAppScope(app: string): string {
  return `delivery:app:${app}`;
}

/** Scope of one Argo CD Application (and its rollout), by name. @public */
export function deliveryApplicationScope(application: string): string {
  return `delivery:application:${application}`;
}

/** Scope of a SonarQube project's quality gate. @public */
export function qualityScope(projectKey: string): string {
  return `quality:${projectKey}`;
}
