/**
 * Extension points and backend-only helpers for Slipway.
 *
 * @packageDocumentation
 */
export * from './containedFs';
export * from './environments';
export * from './extensions';
export * from './gitops';
export * from './harbor';
export * from './kustomizeImage';
export * from './validation';
export * from './state';
export * from './permissions';
