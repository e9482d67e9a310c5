/**
 * Extension points and backend-only helpers for Slipway.
 *
 * @packageDocumentation
 */
export * from './extensions';
export * from './kustomizeImage';
