export * from './fetchUpstream';
export * from './UpstreamError';
