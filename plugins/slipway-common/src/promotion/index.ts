export * from './deployWindow';
export * from './gates';
export * from './types';
