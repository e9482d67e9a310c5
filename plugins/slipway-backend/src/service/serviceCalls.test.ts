import {
  NotFoundError,
  ResponseError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  isPlatformFailure,
  withPlatformFailuresAsUnavailable,
} from './serviceCalls';

async function responseError(status: number, body: object) {
  return ResponseError.fromResponse(
    new Response(JSON.stringify(body), {
      status,
      statusText: 'x',
      headers: { 'content-type': 'application/json' },
    }),
  );
}

describe('service calls to other plugins', () => {
  it('a refused service token (as during a database restart) becomes 503, not 401', async () => {
    // What the permission backend answered in the load benchmark while
    // PostgreSQL restarted: it could not read Slipway's signing keys.
    const refused = await responseError(401, {
      error: {
        name: 'AuthenticationError',
        message: 'Failed plugin token verification',
      },
    });
    const permissions = withPlatformFailuresAsUnavailable(
      {
        authorize: async () => {
          throw refused;
        },
      },
      'permission service',
    );
    const error = await permissions.authorize().catch(e => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.message).toMatch(
      /^The permission service could not answer; nothing was changed, try again; caused by ResponseError: Request failed with 401/,
    );
    expect(error.cause).toBe(refused);
  });

  it('5xx and connection failures are platform failures; 403, 404, 409 and input errors are not', async () => {
    expect(isPlatformFailure(await responseError(500, {}))).toBe(true);
    expect(isPlatformFailure(await responseError(503, {}))).toBe(true);
    expect(isPlatformFailure(new TypeError('fetch failed'))).toBe(true);
    expect(isPlatformFailure(await responseError(403, {}))).toBe(false);
    expect(isPlatformFailure(await responseError(404, {}))).toBe(false);
    expect(isPlatformFailure(await responseError(409, {}))).toBe(false);
    expect(isPlatformFailure(new NotFoundError('no such entity'))).toBe(false);
    expect(isPlatformFailure(new TypeError('x is not a function'))).toBe(false);
    expect(isPlatformFailure('a string')).toBe(false);
  });

  it('passes results and other errors through unchanged', async () => {
    const notFound = new NotFoundError('no such entity');
    const catalog = withPlatformFailuresAsUnavailable(
      {
        name: 'catalog',
        getEntityByRef: async (ref: string) => ({ ref }),
        removeEntity: async () => {
          throw notFound;
        },
      },
      'catalog',
    );
    expect(catalog.name).toBe('catalog');
    await expect(catalog.getEntityByRef('component:default/a')).resolves.toEqual(
      { ref: 'component:default/a' },
    );
    await expect(catalog.removeEntity()).rejects.toBe(notFound);
  });
});
