import { UpstreamError } from './UpstreamError';

/** The longest a rate limit may keep a source quiet. @public */
export const MAX_RATE_LIMIT_BACKOFF_MS = 60_000;
/** Back-off when a rate limit names no time. @public */
export const DEFAULT_RATE_LIMIT_BACKOFF_MS = 15_000;
/** Default cap on upstream response bodies. @public */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/**
 * When a rate-limited upstream may be asked again, from `Retry-After`
 * (seconds or HTTP date) or `x-ratelimit-reset` (epoch seconds). Always
 * within `(now, now + MAX_RATE_LIMIT_BACKOFF_MS]`: a reset in the past or far
 * in the future is clamped, a missing one falls back to a default.
 *
 * @public
 */
export function rateLimitRetryAt(headers: Headers, now = Date.now()): number {
  let wanted: number | undefined;
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) {
      wanted = now + Number(retryAfter) * 1000;
    } else {
      const date = Date.parse(retryAfter);
      if (!Number.isNaN(date)) wanted = date;
    }
  }
  if (wanted === undefined) {
    const reset = headers.get('x-ratelimit-reset')?.trim();
    if (reset && /^\d+$/.test(reset)) {
      wanted = Number(reset) * 1000;
    }
  }
  if (wanted === undefined || wanted <= now) {
    // Missing, unparsable or already past: a short default, never zero.
    wanted = now + DEFAULT_RATE_LIMIT_BACKOFF_MS;
  }
  return Math.min(wanted, now + MAX_RATE_LIMIT_BACKOFF_MS);
}

/** True when a response is a rate limit (429, or 403 with a rate-limit sign). @public */
export function isRateLimited(response: Response): boolean {
  if (response.status === 429) return true;
  if (response.status !== 403) return false;
  return (
    response.headers.get('x-ratelimit-remaining') === '0' ||
    response.headers.has('retry-after')
  );
}

/** Options of {@link fetchUpstreamJson}. @public */
export interface FetchUpstreamOptions {
  signal: AbortSignal;
  headers?: Record<string, string>;
  method?: string;
  /** Request body (JSON text), for the few writes that go through here. */
  body?: string;
  /** The upstream's name for messages, e.g. `Argo CD`. */
  upstream: string;
  maxBytes?: number;
  fetch?: typeof fetch;
  /** Statuses answered with `undefined` instead of an error (e.g. 404). */
  allowStatuses?: number[];
}

async function readBounded(
  response: Response,
  maxBytes: number,
): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    throw new UpstreamError('answer too large', { kind: 'malformed' });
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new UpstreamError('answer too large', { kind: 'malformed' });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * GETs JSON from an upstream with a time budget, a size cap and failure
 * classification. The URL and headers are never put into messages (they may
 * carry credentials).
 *
 * @public
 */
export async function fetchUpstreamJson<T = unknown>(
  url: string,
  options: FetchUpstreamOptions,
): Promise<T | undefined> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: options.method ?? 'GET',
      headers: { accept: 'application/json', ...options.headers },
      body: options.body,
      signal: options.signal,
      redirect: 'error',
    });
  } catch (error) {
    if (options.signal.aborted) {
      throw new UpstreamError(`${options.upstream} did not answer in time`, {
        kind: 'timeout',
      });
    }
    throw new UpstreamError(`${options.upstream} is unreachable`);
  }
  if (isRateLimited(response)) {
    await response.body?.cancel().catch(() => {});
    throw new UpstreamError(`${options.upstream} rate limit reached`, {
      kind: 'rate-limited',
      status: response.status,
      retryAt: rateLimitRetryAt(response.headers),
    });
  }
  if (options.allowStatuses?.includes(response.status)) {
    await response.body?.cancel().catch(() => {});
    return undefined;
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw new UpstreamError(
      `${options.upstream} answered HTTP ${response.status}`,
      { status: response.status },
    );
  }
  let text: string;
  try {
    text = await readBounded(
      response,
      options.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    );
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    if (options.signal.aborted) {
      throw new UpstreamError(`${options.upstream} did not answer in time`, {
        kind: 'timeout',
      });
    }
    throw new UpstreamError(`${options.upstream} broke off its answer`);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UpstreamError(`${options.upstream} answered malformed JSON`, {
      kind: 'malformed',
    });
  }
}
