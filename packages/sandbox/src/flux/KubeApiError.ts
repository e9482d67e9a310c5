/** Reasons of Kubernetes `Status` objects the stand-in answers. */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'Invalid'
  | 'UnsupportedMediaType'
  | 'MethodNotAllowed'
  | 'InternalError';

/** An error answered the way the Kubernetes API server does: a `Status` object. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: { name?: string; group?: string; kind?: string },
  ) {
    super(message);
    this.name = 'KubeApiError';
  }

  toJSON() {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `<plural>.<group> "<name>" not found`, as the API server words it. */
export function notFound(
  plural: string,
  group: string,
  name: string,
): KubeApiError {
  const resource = group ? `${plural}.${group}` : plural;
  // `details.kind` is the plural resource name, as the API server sends it.
  return new KubeApiError(404, 'NotFound', `${resource} "${name}" not found`, {
    name,
    group: group || undefined,
    kind: plural,
  });
}
