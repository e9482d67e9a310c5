/**
 * Extension points and backend-only helpers for Slipway.
 *
 * @packageDocumentation
 */
export * from './appOwnership';
export * from './argoCd';
export * from './containedFs';
export * from './extensions';
export * from './gitopsApp';
export * from './gitopsRepository';
export * from './kustomizeImage';
export * from './validation';
export * from './yamlFiles';
export * from './state';
