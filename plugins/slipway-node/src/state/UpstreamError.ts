/**
 * A classified upstream failure. `rateLimited` failures carry when the
 * upstream may be asked again; everything else is an error.
 *
 * Messages never contain credentials or upstream bodies.
 *
 * @public
 */
export class UpstreamError extends Error {
  readonly kind: 'error' | 'rate-limited' | 'timeout' | 'malformed';
  readonly status?: number;
  /** For rate limits: epoch milliseconds when the upstream may be asked again. */
  readonly retryAt?: number;

  constructor(
    message: string,
    options: {
      kind?: 'error' | 'rate-limited' | 'timeout' | 'malformed';
      status?: number;
      retryAt?: number;
    } = {},
  ) {
    super(message);
    this.name = 'UpstreamError';
    this.kind = options.kind ?? 'error';
    this.status = options.status;
    this.retryAt = options.retryAt;
  }
}
