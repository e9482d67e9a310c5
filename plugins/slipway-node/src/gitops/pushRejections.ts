import { ConflictError, NotAllowedError } from '@backstage/errors';

/**
 * Why a git server refused a fetch or a push.
 *
 * - `non-fast-forward`: the branch moved on since it was fetched;
 * - `ref-moved`: the branch moved while the server updated it (GitHub
 *   "cannot lock ref ... is at X but expected Y", GitLab "incorrect old value
 *   provided");
 * - `ref-name-conflict`: the branch name collides with another ref
 *   (`refs/heads/a` exists, so `refs/heads/a/b` cannot be created);
 * - `protected-branch`: branch protection or a ruleset refused the update
 *   (GitHub GH006/GH013, GitLab "not allowed to push code to protected
 *   branches");
 * - `auth`: the credentials were refused (HTTP 401/403);
 * - `rejected`: anything else (for example a pre-receive hook).
 *
 * @public
 */
export type PushRejectionReason =
  | 'non-fast-forward'
  | 'ref-moved'
  | 'ref-name-conflict'
  | 'protected-branch'
  | 'auth'
  | 'rejected';

/** A classified rejection. @public */
export interface PushRejection {
  reason: PushRejectionReason;
  /** True when fetching again and recomputing the change can succeed. */
  retryable: boolean;
}

const RULES: { reason: PushRejectionReason; pattern: RegExp }[] = [
  // Branch protection first: GitLab's message also says "not allowed".
  {
    reason: 'protected-branch',
    pattern:
      /\bGH006\b|\bGH013\b|protected branch hook declined|not allowed to (force )?push code to (a )?protected branch|protected branch update failed|repository rule violations/i,
  },
  {
    reason: 'auth',
    pattern:
      /HTTP Error: 40[13]\b|\b40[13] (Unauthorized|Forbidden)\b|authentication failed|invalid username or (password|token)|HTTP Basic: Access denied|permission to \S+ denied|not allowed to push code to this project|write access to repository not granted/i,
  },
  {
    reason: 'ref-name-conflict',
    pattern: /cannot lock ref '[^']*': '[^']*' exists; cannot create/i,
  },
  {
    reason: 'ref-moved',
    pattern:
      /cannot lock ref '[^']*': is at [0-9a-f]+ but expected [0-9a-f]+|incorrect old value provided|cannot lock ref '[^']*': reference already exists/i,
  },
  {
    reason: 'non-fast-forward',
    pattern:
      /non-fast-forward|not a simple fast-forward|\(fetch first\)|stale info|tip of your current branch is behind/i,
  },
];

/**
 * Classifies the text of a rejection: the ref status and `remote:` lines a
 * server sends back, or a client's error message.
 *
 * @public
 */
export function classifyPushRejection(text: string): PushRejection {
  for (const rule of RULES) {
    if (rule.pattern.test(text)) {
      return {
        reason: rule.reason,
        retryable:
          rule.reason === 'non-fast-forward' || rule.reason === 'ref-moved',
      };
    }
  }
  return { reason: 'rejected', retryable: false };
}

/**
 * The text of an isomorphic-git failure (message, push result of each ref,
 * HTTP status) together with the server's progress lines.
 */
export function rejectionText(
  error: unknown,
  remoteMessages: string[] = [],
): string {
  const parts = [...remoteMessages];
  const e = error as {
    code?: string;
    message?: string;
    data?: {
      statusCode?: number;
      reason?: string;
      result?: { refs?: Record<string, { ok: boolean; error?: string }> };
    };
  };
  if (e?.message) parts.push(e.message);
  if (e?.code === 'PushRejectedError' && e.data?.reason === 'not-fast-forward')
    parts.push('non-fast-forward');
  if (e?.code === 'HttpError' && e.data?.statusCode)
    parts.push(`HTTP Error: ${e.data.statusCode}`);
  for (const ref of Object.values(e?.data?.result?.refs ?? {})) {
    if (!ref.ok && ref.error) parts.push(ref.error);
  }
  return parts.join('\n');
}

/**
 * A write to a GitOps repository that lost a race or was refused for a
 * reason other than access: the branch kept moving (after the bounded
 * retries), a ref name collides, or a hook said no.
 *
 * @public
 */
export class GitOpsWriteConflictError extends ConflictError {
  readonly reason: PushRejectionReason;

  constructor(message: string, reason: PushRejectionReason) {
    super(message);
    this.reason = reason;
  }
}

/**
 * A write to a GitOps repository refused for access: credentials refused, or
 * a protected branch (use pull-request mode).
 *
 * @public
 */
export class GitOpsWriteNotAllowedError extends NotAllowedError {
  readonly reason: 'protected-branch' | 'auth';

  constructor(message: string, reason: 'protected-branch' | 'auth') {
    super(message);
    this.reason = reason;
  }
}

/** The typed error for a terminal rejection (or one retried too often). */
export function pushRejectionError(
  rejection: PushRejection,
  branch: string,
  attempts: number,
  detail?: string,
): Error {
  const error = typedError(rejection, branch, attempts);
  const text = detail
    ?.split('\n')
    .map(line => line.trim())
    .filter(Boolean)
    .join('; ')
    .slice(0, 300);
  if (text) error.message = `${error.message} (${text})`;
  return error;
}

function typedError(
  rejection: PushRejection,
  branch: string,
  attempts: number,
): Error {
  switch (rejection.reason) {
    case 'protected-branch':
      return new GitOpsWriteNotAllowedError(
        `Branch ${branch} is protected; the GitOps repository refused the push (use pull-request mode)`,
        'protected-branch',
      );
    case 'auth':
      return new GitOpsWriteNotAllowedError(
        'The GitOps repository refused the credentials',
        'auth',
      );
    case 'non-fast-forward':
    case 'ref-moved':
      return new GitOpsWriteConflictError(
        `Branch ${branch} kept moving; gave up after ${attempts} attempts`,
        rejection.reason,
      );
    case 'ref-name-conflict':
      return new GitOpsWriteConflictError(
        `Branch ${branch} collides with another branch name in the GitOps repository`,
        rejection.reason,
      );
    default:
      return new GitOpsWriteConflictError(
        `The GitOps repository refused the push of ${branch}`,
        rejection.reason,
      );
  }
}
