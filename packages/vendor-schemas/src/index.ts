/**
 * Test support: validators for vendor payloads, built from the vendors' own
 * published descriptions (Argo CD and Harbor swagger in ../shared/specs,
 * GitHub's @octokit/openapi, @kubernetes-models (Argo CD, Argo Rollouts,
 * Flux), and a vendored slice of
 * GitLab's swagger in ../specs). Used by the sandbox's
 * contract tests and by the backend's provider tests, so both check against
 * the same schemas. Never a runtime dependency.
 *
 * @packageDocumentation
 */
export * from './specValidators';
export * from './ociValidators';
export * from './fluxValidators';
