import { AuthenticationError, ConflictError } from '@backstage/errors';
import { APP_LABEL } from '@slipway/plugin-slipway-common';
import {
  InvalidationTarget,
  StateInvalidator,
} from '../state/StateInvalidator';
import { verifyGithubSignature, verifySharedSecret } from './verifyWebhook';

export type WebhookSource = 'argocd' | 'github' | 'harbor';

function text(value: unknown, max = 300): string | undefined {
  return typeof value === 'string' && value.length <= max ? value : undefined;
}

/**
 * What a verified webhook names: payload fields only pick what to refresh,
 * and are never data.
 */
export function webhookTargets(
  source: WebhookSource,
  payload: any,
): InvalidationTarget[] {
  if (source === 'github') {
    const repository = text(payload?.repository?.full_name)?.toLowerCase();
    return repository ? [{ repository }] : [];
  }
  if (source === 'harbor') {
    const slug = text(
      payload?.event_data?.repository?.repo_full_name,
    )?.toLowerCase();
    return slug ? [{ registryRepository: slug }] : [];
  }
  // Argo CD: the Application named, and its app label when the template sends it.
  const application = text(payload?.app ?? payload?.application, 253);
  const app = text(payload?.labels?.[APP_LABEL], 63);
  return [{ delivery: { application, app } }];
}

const REPLAY_WINDOW_MS = 24 * 3600_000;
const MAX_DELIVERIES = 50_000;

/**
 * Verifies webhooks and hands what a valid one names to the
 * {@link StateInvalidator} (cache, readers, signals).
 */
export class WebhookService {
  static create(options: {
    secrets: Partial<Record<WebhookSource, string>>;
    invalidator: StateInvalidator;
  }): WebhookService {
    return new WebhookService(options);
  }

  /** GitHub delivery ids seen, oldest first, with when. */
  private readonly deliveries = new Map<string, number>();

  private constructor(
    private readonly options: {
      secrets: Partial<Record<WebhookSource, string>>;
      invalidator: StateInvalidator;
    },
  ) {}

  /** Throws AuthenticationError unless the request carries the right signature. */
  verify(
    source: WebhookSource,
    body: Buffer,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    const secret = this.options.secrets[source];
    const header = (name: string) => {
      const value = headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    let valid = false;
    if (secret) {
      if (source === 'github')
        valid = verifyGithubSignature(
          secret,
          body,
          header('x-hub-signature-256'),
        );
      if (source === 'argocd')
        valid = verifySharedSecret(secret, header('x-slipway-webhook-secret'));
      if (source === 'harbor')
        valid = verifySharedSecret(secret, header('authorization'));
    }
    if (!valid) {
      throw new AuthenticationError('Invalid webhook signature');
    }
    // GitHub signs the body and names each delivery: a replayed delivery
    // (same id) is refused. Argo CD and Harbor send a shared header only;
    // there a replay costs one coalesced refresh (docs/state-api.md).
    const delivery =
      source === 'github' ? header('x-github-delivery') : undefined;
    if (delivery) {
      const now = Date.now();
      for (const [id, at] of this.deliveries) {
        if (
          now - at < REPLAY_WINDOW_MS &&
          this.deliveries.size < MAX_DELIVERIES
        )
          break;
        this.deliveries.delete(id);
      }
      if (this.deliveries.has(delivery)) {
        throw new ConflictError('Webhook delivery already handled (replay)');
      }
      this.deliveries.set(delivery, now);
    }
  }

  /** Invalidates what the (verified) webhook names and tells open pages. */
  async handle(source: WebhookSource, body: Buffer): Promise<void> {
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      payload = undefined;
    }
    await this.options.invalidator.invalidate(webhookTargets(source, payload));
  }
}
