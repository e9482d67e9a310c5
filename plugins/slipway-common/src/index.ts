/**
 * Types, permissions, policy schema and pure helpers shared by Slipway's
 * frontend and backend.
 *
 * @packageDocumentation
 */
export * from './annotations';
export * from './conventions';
export * from './entityDeployConfig';
export * from './permissions';
export * from './policy';
export * from './SlipwayClient';
export * from './state';
export * from './types';
export * from './rules/overlayImage';
export * from './rules/behindVerdict';
export * from './rules/behindBuildVerdict';
export * from './rules/environmentVerdict';
export * from './rules/rolloutProgress';
export * from './rules/secretsVerdict';
export * from './rules/deployedVerdict';
export * from './rules/driftVerdict';
export * from './rules/controllerWords';
export * from './rules/imageReference';
export * from './rules/liveImageMatches';
export * from './rules/needsAttention';
export * from './rules/settledVerdict';
export * from './rules/rollbackTargets';
export * from './rules/protectedDigests';
export * from './retention';
export * from './cacheScopes';
export * from './channels';
export * from './repository';
export * from './promotion';
export * from './urls';
