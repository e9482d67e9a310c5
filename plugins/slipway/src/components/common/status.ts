import {
  HealthStatus,
  SecretsStatus,
  SourceKind,
  SourceReport,
  SyncStatus,
} from '@slipway/plugin-slipway-common';
import { localTime, relativeTime, untilTime, withLocalTimes } from './format';

/**
 * How a status reads at a glance. Only `ok` is green; anything unknown,
 * missing or read from a failing source is `unknown` (grey), never `ok`.
 */
export type Tone = 'ok' | 'warning' | 'error' | 'progress' | 'unknown';

const KIND_LABELS: Record<SourceKind, string> = {
  gitops: 'Git',
  delivery: 'Argo CD',
  ci: 'CI',
  artifacts: 'Registry',
  quality: 'Quality gate',
};

/** A person-readable name for a source: the product where it is known. */
export function sourceLabel(report: Pick<SourceReport, 'source' | 'kind'>) {
  const id = report.source.toLocaleLowerCase('en-US');
  if (id.startsWith('argocd')) return 'Argo CD';
  if (id.startsWith('flux')) return 'Flux';
  if (id.startsWith('github')) return 'GitHub Actions';
  if (id.startsWith('gitlab')) return 'GitLab CI';
  if (id.startsWith('harbor')) return 'Harbor';
  if (id.startsWith('sonarqube')) return 'SonarQube';
  if (id.startsWith('trivy')) return 'Trivy';
  return KIND_LABELS[report.kind] ?? report.source;
}

/** The worst report of a kind (several instances may report the same kind). */
export function findSource(
  sources: SourceReport[],
  kind: SourceKind,
): SourceReport | undefined {
  const order = ['error', 'rate-limited', 'stale', 'unconfigured', 'ok'];
  return sources
    .filter(s => s.kind === kind)
    .sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status))[0];
}

/**
 * True while a streamed state still waits for a source of one of these
 * kinds (of any kind, without kinds): its parts are loading, neither
 * unknown nor failed.
 */
export function isPending(
  sources: SourceReport[],
  ...kinds: SourceKind[]
): boolean {
  return sources.some(
    s =>
      s.status === 'pending' && (kinds.length === 0 || kinds.includes(s.kind)),
  );
}

/** True when data from this source can be shown with its own colours. */
export function isSourceHealthy(report: SourceReport | undefined): boolean {
  return report?.status === 'ok';
}

export function sourceTone(report: SourceReport | undefined): Tone {
  switch (report?.status) {
    case 'ok':
      return 'ok';
    case 'error':
      return 'error';
    case 'stale':
    case 'rate-limited':
      return 'warning';
    default:
      return 'unknown';
  }
}

/**
 * One sentence about a source that is not `ok`, e.g. "Argo CD unreachable;
 * showing Git state from 2 minutes ago". `undefined` for `ok`.
 */
export function sourceSentence(
  report: SourceReport | undefined,
  now: number,
  fallback?: SourceReport,
): string | undefined {
  if (!report || report.status === 'ok') return undefined;
  const label = sourceLabel(report);
  const showing =
    fallback && fallback.status === 'ok'
      ? `; showing ${sourceLabel(fallback)} state from ${relativeTime(
          fallback.fetchedAt,
          now,
        )}`
      : '';
  switch (report.status) {
    case 'error':
      return `${label} unreachable${showing}`;
    case 'stale':
      return `${label}: data from ${relativeTime(report.fetchedAt, now)}`;
    case 'rate-limited': {
      const until = localTime(report.retryAt, now);
      return until
        ? `${label} rate limited until ${until} (${untilTime(
            report.retryAt,
            now,
          )})${showing}`
        : `${label} rate limited${showing}`;
    }
    case 'unconfigured':
      return `${label} not configured`;
    case 'pending':
      return `${label}: loading`;
    default:
      return `${label}: status unknown`;
  }
}

export function healthTone(
  health: HealthStatus | undefined,
  sourceOk: boolean,
): Tone {
  if (!health || health === 'Unknown' || health === 'Missing') {
    return health === 'Missing' ? 'error' : 'unknown';
  }
  if (health === 'Degraded') return 'error';
  if (health === 'Progressing') return 'progress';
  if (health === 'Suspended') return 'warning';
  return sourceOk ? 'ok' : 'unknown';
}

export function syncTone(
  sync: SyncStatus | undefined,
  sourceOk: boolean,
): Tone {
  if (!sync || sync === 'Unknown') return 'unknown';
  if (sync === 'OutOfSync') return 'warning';
  return sourceOk ? 'ok' : 'unknown';
}

/** The tone of an environment's secrets verdict; healthy is green only from a source that answered `ok`. */
export function secretsTone(status: SecretsStatus, sourceOk: boolean): Tone {
  if (status === 'degraded') return 'error';
  if (status === 'progressing') return 'progress';
  if (status === 'unknown') return 'unknown';
  return sourceOk ? 'ok' : 'unknown';
}

/**
 * A source's message as people read it: its internal id (`argocd:sandbox`)
 * becomes the vendor's name, ISO timestamps become local time, and it
 * starts with a capital letter. `undefined` when there is none.
 */
export function sourceMessage(
  report: Pick<SourceReport, 'source' | 'kind' | 'message'>,
  now: number,
): string | undefined {
  const message = report.message?.trim();
  if (!message) return undefined;
  const named = withLocalTimes(
    message.split(report.source).join(sourceLabel(report)),
    now,
  );
  return named.charAt(0).toLocaleUpperCase('en-US') + named.slice(1);
}

/**
 * The sources that are not `ok`, one per vendor name and status (two Argo
 * CD instances failing the same way make one notice), worst first. A
 * source still loading (`pending`) is not failing.
 */
export function failingSources(sources: SourceReport[]): SourceReport[] {
  const order = ['error', 'rate-limited', 'stale', 'unconfigured'];
  const seen = new Set<string>();
  return sources
    .filter(s => s.status !== 'ok' && s.status !== 'pending')
    .sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status))
    .filter(s => {
      const key = `${sourceLabel(s)}|${s.status}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
