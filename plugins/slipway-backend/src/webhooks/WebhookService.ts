import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { AuthenticationError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  APP_LABEL,
  SLIPWAY_ANNOTATIONS as A,
} from '@slipway/plugin-slipway-common';
import { GitOpsReaderProvider } from '@slipway/plugin-slipway-node';
import {
  artifactsScope,
  ciScope,
  DELIVERY_SCOPE,
  gitopsScope,
} from '../state/DeployStateService';
import { SourceCache } from '../state/SourceCache';
import { verifyGithubSignature, verifySharedSecret } from './verifyWebhook';

/** Signal channel of one entity's state. */
export function entityChannel(entityRef: string): string {
  return `slipway:entity:${entityRef}`;
}

/** Signal channel of the fleet view. */
export const FLEET_CHANNEL = 'slipway:fleet';

export type WebhookSource = 'argocd' | 'github' | 'harbor';

/** What a webhook is allowed to say: which scopes changed. Never data. */
interface Touched {
  scopes: string[];
  matches: (entity: Entity) => boolean;
}

function text(value: unknown, max = 300): string | undefined {
  return typeof value === 'string' && value.length <= max ? value : undefined;
}

/**
 * Verifies webhooks and turns a valid one into cache invalidation and
 * signals. Payload fields are only used to pick what to refresh.
 */
export class WebhookService {
  static create(options: {
    secrets: Partial<Record<WebhookSource, string>>;
    sources: SourceCache;
    gitopsReaders: GitOpsReaderProvider[];
    catalog: CatalogService;
    auth: AuthService;
    signals?: SignalsService;
    logger: LoggerService;
  }): WebhookService {
    return new WebhookService(options);
  }

  private constructor(
    private readonly options: {
      secrets: Partial<Record<WebhookSource, string>>;
      sources: SourceCache;
      gitopsReaders: GitOpsReaderProvider[];
      catalog: CatalogService;
      auth: AuthService;
      signals?: SignalsService;
      logger: LoggerService;
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
  }

  private touched(source: WebhookSource, payload: any): Touched {
    if (source === 'github') {
      const fullName = text(payload?.repository?.full_name)?.toLowerCase();
      if (!fullName) return { scopes: [], matches: () => false };
      return {
        scopes: [`gitops:${fullName}`, ciScope(fullName)],
        matches: entity => {
          const annotations = entity.metadata.annotations ?? {};
          const gitops = annotations[A.gitopsRepo];
          return (
            annotations[A.githubProjectSlug]?.toLowerCase() === fullName ||
            (gitops !== undefined &&
              gitopsScope(gitops) === `gitops:${fullName}`)
          );
        },
      };
    }
    if (source === 'harbor') {
      const resources = payload?.event_data?.repository;
      const slug = text(resources?.repo_full_name)?.toLowerCase();
      if (!slug) return { scopes: [], matches: () => false };
      return {
        scopes: [artifactsScope(slug)],
        matches: entity =>
          entity.metadata.annotations?.[
            A.harborRepositorySlug
          ]?.toLowerCase() === slug,
      };
    }
    // Argo CD: any change makes live state worth reading again.
    const app = text(
      payload?.app ?? payload?.application ?? payload?.labels?.[APP_LABEL],
      253,
    );
    return {
      scopes: [DELIVERY_SCOPE],
      matches: entity => {
        const annotations = entity.metadata.annotations ?? {};
        return (
          app !== undefined &&
          (annotations[A.argocdAppSelector] === `${APP_LABEL}=${app}` ||
            annotations[A.argocdAppName] === app ||
            annotations[A.argocdAppSelector] ===
              `${APP_LABEL}=${app.replace(/-[a-z0-9]+$/, '')}`)
        );
      },
    };
  }

  /** Invalidates what the (verified) webhook names and tells open pages. */
  async handle(source: WebhookSource, body: Buffer): Promise<void> {
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      payload = undefined;
    }
    const touched = this.touched(source, payload);
    await this.options.sources.invalidate(touched.scopes);
    if (source === 'github') {
      const fullName = touched.scopes[0]?.slice('gitops:'.length);
      for (const reader of this.options.gitopsReaders) {
        // The reader's clone is keyed by URL; invalidate every URL ending in the repository's name.
        if (fullName)
          await reader.invalidate?.(`https://invalidate.invalid/${fullName}`);
      }
    }
    const signals = this.options.signals;
    if (!signals) return;
    try {
      const credentials = await this.options.auth.getOwnServiceCredentials();
      const { items } = await this.options.catalog.getEntities(
        {
          filter: {
            [`metadata.annotations.${A.gitopsRepo}`]: CATALOG_FILTER_EXISTS,
          },
          fields: [
            'kind',
            'metadata.name',
            'metadata.namespace',
            'metadata.annotations',
          ],
        },
        { credentials },
      );
      const refs = items
        .filter(touched.matches)
        .map(e => stringifyEntityRef(e));
      await Promise.all(
        refs.map(ref =>
          signals.publish({
            recipients: { type: 'broadcast' },
            channel: entityChannel(ref),
            message: { type: 'state-changed' },
          }),
        ),
      );
      await signals.publish({
        recipients: { type: 'broadcast' },
        channel: FLEET_CHANNEL,
        message: { type: 'state-changed' },
      });
    } catch (error) {
      this.options.logger.warn(
        `Slipway webhook: could not send signals: ${(error as Error).message}`,
      );
    }
  }
}
