import { AppState } from './ArgoCdController';

/** Where the sandbox's "Argo CD notifications" send application events. */
export interface ArgoWebhookTarget {
  url: string;
  /** Sent as `X-Slipway-Webhook-Secret`, as a notifications webhook service would. */
  secret: string;
}

const DEBOUNCE_MS = 250;
const TIMEOUT_MS = 5_000;

/**
 * Plays Argo CD notifications with a webhook service: after an Application's
 * state changes (debounced per application), POSTs a small JSON event to the
 * configured URL. Delivery failures are logged once per burst and never
 * disturb the controller; the secret is never logged.
 */
export class ArgoNotifier {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private failing = false;
  private stopped = false;

  static create(options: {
    target: ArgoWebhookTarget;
    log: (line: string) => void;
  }): ArgoNotifier {
    return new ArgoNotifier(options.target, options.log);
  }

  private constructor(
    private readonly target: ArgoWebhookTarget,
    private readonly log: (line: string) => void,
  ) {}

  changed(app: AppState): void {
    if (this.stopped) return;
    const name = app.definition.name;
    clearTimeout(this.pending.get(name));
    this.pending.set(
      name,
      setTimeout(() => {
        this.pending.delete(name);
        this.send(app).catch(() => {});
      }, DEBOUNCE_MS),
    );
  }

  private async send(app: AppState): Promise<void> {
    const labels = app.definition.labels;
    const body = {
      event: 'on-app-changed',
      application: app.definition.name,
      app: labels['slipway.dev/app'] ?? app.definition.name,
      environment: labels['slipway.dev/environment'],
      labels,
      health: app.health.status,
      operation: app.operation?.phase,
    };
    try {
      const response = await fetch(this.target.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Slipway-Webhook-Secret': this.target.secret,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      if (this.failing) {
        this.failing = false;
        this.log(
          `sandbox: Argo CD notifications delivered again to ${this.target.url}`,
        );
      }
    } catch (error) {
      if (!this.failing) {
        this.failing = true;
        this.log(
          `sandbox: Argo CD notification to ${this.target.url} failed (${String(
            (error as Error)?.message ?? error,
          )}); will keep trying on the next change`,
        );
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}
