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
