/**
 * A commit status on a service repository's commit, as the CI provider
 * reads it (GitHub commit statuses, GitLab commit statuses), normalised.
 *
 * @public
 */
export interface CommitStatus {
  /** GitHub `context`, GitLab `name`. */
  context: string;
  /**
   * `pending` while queued or running; `failure` for a failed check;
   * `error` when the check could not run or was cancelled.
   */
  state: 'pending' | 'success' | 'failure' | 'error';
  description?: string;
  targetUrl?: string;
  /** When the status was last set (ISO 8601). */
  updatedAt?: string;
}

/** The prefix of every verification status context. @public */
export const VERIFICATION_CONTEXT_PREFIX = 'slipway/verify/';

/** A verification check name: a lower-case identifier, e.g. `smoke` or `k6`. @public */
export const VERIFICATION_CHECK_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * The commit status context a verification workflow reports under:
 * `slipway/verify/<environment>/<check>`.
 *
 * @public
 */
export function verificationContext(
  environment: string,
  check: string,
): string {
  return `${VERIFICATION_CONTEXT_PREFIX}${environment}/${check}`;
}

const DIGEST_IN_TEXT = /sha256:[a-f0-9]{64}(?![a-f0-9])/;

/**
 * The image digest a verification status names: the first
 * `sha256:<64 hex>` in its description, else the `digest` query parameter
 * of its target URL. Undefined when it names none.
 *
 * @public
 */
export function verificationDigest(
  status: Pick<CommitStatus, 'description' | 'targetUrl'>,
): string | undefined {
  const inDescription = status.description?.match(DIGEST_IN_TEXT)?.[0];
  if (inDescription) return inDescription;
  if (!status.targetUrl) return undefined;
  try {
    const value = new URL(status.targetUrl).searchParams.get('digest');
    return value && /^sha256:[a-f0-9]{64}$/.test(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The newest status of a context among statuses listed newest first (as
 * GitHub and GitLab list them); contexts compare case-insensitively, as
 * GitHub treats them.
 *
 * @public
 */
export function newestStatusOf(
  statuses: CommitStatus[],
  context: string,
): CommitStatus | undefined {
  const wanted = context.toLowerCase();
  return statuses.find(s => s.context.toLowerCase() === wanted);
}
