/** gRPC status codes Argo CD puts in its error bodies. */
export const GRPC = {
  InvalidArgument: 3,
  NotFound: 5,
  PermissionDenied: 7,
  FailedPrecondition: 9,
  Unauthenticated: 16,
} as const;

/** An error answered the way Argo CD's gRPC gateway does: `{ error, code, message }`. */
export class ArgoApiError extends Error {
  constructor(readonly status: number, readonly code: number, message: string) {
    super(message);
    this.name = 'ArgoApiError';
  }

  toJSON() {
    return { error: this.message, code: this.code, message: this.message };
  }
}
