export * from './deployWindow';
export * from './gates';
export * from './types';
export * from './verification';
