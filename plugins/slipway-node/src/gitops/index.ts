export { GitOpsGateway } from './GitOpsGateway';
export {
  ScmCredentials,
  type GitCredentials,
  type GitCredentialsLookup,
  type ScmProvider,
  type ScmRepository,
} from './ScmCredentials';
export {
  classifyPushRejection,
  GitOpsWriteConflictError,
  GitOpsWriteNotAllowedError,
  type PushRejection,
  type PushRejectionReason,
} from './pushRejections';
export type { PullRequestSpec, PullRequestStatus } from './pullRequests';
export { displayUrl, redactSecrets } from './redactSecrets';
export { hasTrailer, type GitTrailer } from './trailers';
export type {
  GitOpsEdit,
  GitOpsEditCallback,
  GitOpsTreeView,
  GitOpsWriteRequest,
  GitOpsWriteResult,
} from './types';
