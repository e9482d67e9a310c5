import { InputError } from '@backstage/errors';

/**
 * The conventions that bind templates, sandbox, state reader and promotion
 * engine together. Change them here only.
 */

/** Label put on every Argo CD Application Slipway creates: the app name. @public */
export const APP_LABEL = 'slipway.dev/app';
/** Label put on every Argo CD Application Slipway creates: the environment. @public */
export const ENVIRONMENT_LABEL = 'slipway.dev/environment';
/** Commit trailer naming the promotion that wrote a GitOps commit. @public */
export const PROMOTION_TRAILER = 'Slipway-Promotion';
/** Commit trailer naming the scaffolder task that wrote a GitOps commit. @public */
export const SCAFFOLDER_TASK_TRAILER = 'Slipway-Scaffolder-Task';

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const OCI_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
// registry[:port]/path/components, lower case, per the OCI distribution spec.
const IMAGE_REPOSITORY =
  /^(?:[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const FULL_GIT_SHA = /^[a-f0-9]{40}$/;
// Control characters, DEL, backslash and the unicode line separators.
// eslint-disable-next-line no-control-regex
const UNSAFE_PATH_CHARACTERS = /[\u0000-\u001f\u007f\\\u2028\u2029]/;

/** True for a DNS-1123 label: lower case alphanumerics and '-', at most 63 characters. @public */
export function isDnsLabel(value: string): boolean {
  return DNS_1123_LABEL.test(value);
}

/** True for a tag in the OCI distribution grammar. @public */
export function isOciTag(value: string): boolean {
  return OCI_TAG.test(value);
}

/** True for a `sha256:<64 hex>` digest. @public */
export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

/** True for an image repository reference without tag or digest. @public */
export function isImageRepository(value: string): boolean {
  return value.length <= 255 && IMAGE_REPOSITORY.test(value);
}

/** True for a full, 40 character, lower case git SHA. @public */
export function isFullGitSha(value: string): boolean {
  return FULL_GIT_SHA.test(value);
}

function assertValid(
  valid: boolean,
  what: string,
  value: string,
  rule: string,
): void {
  if (!valid) {
    throw new InputError(
      `Invalid ${what} ${JSON.stringify(value.slice(0, 80))}: ${rule}`,
    );
  }
}

/** Throws InputError unless the value is a DNS-1123 label. @public */
export function assertDnsLabel(value: string, what = 'name'): string {
  assertValid(
    isDnsLabel(value),
    what,
    value,
    'must be a DNS-1123 label (lower case letters, digits and "-", at most 63 characters)',
  );
  return value;
}

/** Throws InputError unless the value is an OCI tag. @public */
export function assertOciTag(value: string): string {
  assertValid(
    isOciTag(value),
    'image tag',
    value,
    'must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}',
  );
  return value;
}

/** Throws InputError unless the value is a sha256 digest. @public */
export function assertDigest(value: string): string {
  assertValid(isDigest(value), 'digest', value, 'must be sha256:<64 hex>');
  return value;
}

/** Throws InputError unless the value is an image repository. @public */
export function assertImageRepository(value: string): string {
  assertValid(
    isImageRepository(value),
    'image repository',
    value,
    'must be [registry/]path in lower case, without tag or digest',
  );
  return value;
}

/**
 * Normalises a relative folder inside a repository and refuses anything that
 * could leave it: absolute paths, `..` segments (also percent-encoded), NUL,
 * backslashes and control characters.
 *
 * @public
 */
export function normalizeRepoPath(value: string, what = 'path'): string {
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    throw new InputError(`Invalid ${what}: malformed percent-encoding`);
  }
  if (UNSAFE_PATH_CHARACTERS.test(decoded)) {
    throw new InputError(`Invalid ${what}: control characters or backslashes`);
  }
  if (decoded.startsWith('/')) {
    throw new InputError(`Invalid ${what}: must be relative`);
  }
  const segments = decoded.split('/').filter(s => s !== '' && s !== '.');
  if (segments.some(s => s === '..')) {
    throw new InputError(`Invalid ${what}: must not contain ".."`);
  }
  if (segments.length === 0) {
    throw new InputError(`Invalid ${what}: must not be empty`);
  }
  return segments.join('/');
}

/** Folder of an environment's overlay: `<gitopsPath>/overlays/<env>`. @public */
export function overlayPath(gitopsPath: string, environment: string): string {
  return `${normalizeRepoPath(
    gitopsPath,
    'GitOps path',
  )}/overlays/${assertDnsLabel(environment, 'environment')}`;
}

/** Folder of a shared GitOps repository that holds one folder per app. @public */
export const DEFAULT_GITOPS_ROOT = 'apps';

/** Folder of an app in a shared GitOps repository, when none is named: `apps/<app>`. @public */
export function defaultGitopsPath(app: string): string {
  return `${DEFAULT_GITOPS_ROOT}/${assertDnsLabel(app, 'app name')}`;
}

/** Folder of the Kustomize base: `<gitopsPath>/base`. @public */
export function basePath(gitopsPath: string): string {
  return `${normalizeRepoPath(gitopsPath, 'GitOps path')}/base`;
}

/** Argo CD Application name for an app in an environment: `<app>-<env>`. @public */
export function applicationName(app: string, environment: string): string {
  return `${assertDnsLabel(app, 'app name')}-${assertDnsLabel(
    environment,
    'environment',
  )}`;
}

/** The `argocd/app-selector` value for an app. @public */
export function appSelector(app: string): string {
  return `${APP_LABEL}=${assertDnsLabel(app, 'app name')}`;
}
