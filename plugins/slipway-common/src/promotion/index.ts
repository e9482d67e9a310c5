export * from './deployWindow';
export * from './gates';
