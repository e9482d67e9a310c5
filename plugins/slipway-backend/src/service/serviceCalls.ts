import {
  ResponseError,
  ServiceUnavailableError,
  isError,
} from '@backstage/errors';

/**
 * Whether an error thrown by a call to another plugin (catalog, permission)
 * is the platform failing rather than the caller: the other plugin refused
 * Slipway's own service token (401; it verifies it against keys in the
 * database, so a database restart or a replica's first call during one
 * surfaces as a 401), answered 5xx, or could not be reached.
 *
 * The user's own credentials were already checked by Slipway's router
 * before any such call, so none of these is the user's fault; answered as
 * 401 or 500 a client would give up on a request it should retry.
 */
export function isPlatformFailure(error: unknown): boolean {
  if (!isError(error)) return false;
  if (error.name === ResponseError.name) {
    const status = (error as Partial<ResponseError>).statusCode ?? 0;
    return status === 401 || status >= 500;
  }
  // fetch() failing to connect: TypeError('fetch failed') with a cause.
  return error.name === 'TypeError' && /fetch failed/i.test(error.message);
}

/**
 * The service with every method's platform failures (see
 * {@link isPlatformFailure}) turned into a `ServiceUnavailableError`
 * (HTTP 503) naming the service, so that a client retries — with its
 * idempotency key for a promotion — instead of giving up on a 401. Other
 * errors (404, 403, 409, input errors) pass unchanged, as do results.
 */
export function withPlatformFailuresAsUnavailable<T extends object>(
  service: T,
  name: string,
): T {
  return new Proxy(service, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } catch (error) {
          if (!isPlatformFailure(error)) throw error;
          throw new ServiceUnavailableError(
            `The ${name} could not answer; nothing was changed, try again`,
            error,
          );
        }
      };
    },
  });
}

/** PostgreSQL's SQLSTATEs of a server that is going away or not yet there. */
const DATABASE_GONE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000', // connection_exception
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08003', // connection_does_not_exist
  '08006', // connection_failure
]);

/**
 * Whether an error is the database being unreachable (restart, failover,
 * pool exhausted while it is away), by the driver's error code or knex's
 * and node-postgres' messages for a lost or unobtainable connection.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!isError(error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && DATABASE_GONE_CODES.has(code)) return true;
  return /Timeout acquiring a connection|Connection terminated|the database system is (starting up|shutting down)/i.test(
    error.message,
  );
}
