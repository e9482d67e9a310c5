import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { SLIPWAY_ANNOTATIONS as A } from './annotations';
import { boundedMemo } from './boundedMemo';
import {
  isDnsLabel,
  isImageRepository,
  normalizeRepoPath,
} from './conventions';
import {
  AnnotationFinding,
  EntityDeployConfig,
  ProviderKind,
  SlipwayEnvironment,
} from './types';
import { normalizeHttpUrl } from './urls';

const PURPOSES: Record<string, string> = {
  [A.gitopsRepo]: 'GitOps repository holding the Kustomize overlays',
  [A.gitopsPath]: 'Folder in the GitOps repository with base/ and overlays/',
  [A.image]: 'Image repository the CI pushes to',
  [A.argocdAppSelector]: 'Label selector of the Argo CD Applications',
  [A.argocdAppName]: 'Name of a single Argo CD Application',
  [A.argocdInstanceName]: 'Argo CD instance, when several are configured',
  [A.fluxSelector]:
    'Label selector of the Flux Kustomizations (in place of Argo CD)',
  [A.fluxCluster]: 'Flux cluster, when several are configured',
  [A.githubProjectSlug]: 'GitHub repository of the source (CI runs)',
  [A.gitlabProjectSlug]: 'GitLab project of the source (CI pipelines)',
  [A.harborRepositorySlug]: 'Harbor repository (artifacts, scans, signatures)',
  [A.sonarqubeProjectKey]: 'SonarQube project (quality gate)',
  [A.environments]: 'Comma-separated subset of the configured environments',
};

/** True when the entity carries any annotation the Deploy tab can use. @public */
export function hasSlipwayAnnotations(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return [
    A.gitopsRepo,
    A.gitopsPath,
    A.image,
    A.argocdAppSelector,
    A.argocdAppName,
    A.fluxSelector,
  ].some(key => Boolean(annotations[key]));
}

function checkUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || url.protocol === 'http:') {
      // Parsed and normalised like every URL compared with an allowlist.
      normalizeHttpUrl(value, 'URL');
      return undefined;
    }
    if (!['ssh:', 'git:'].includes(url.protocol)) {
      return 'must be an http(s), ssh or git URL';
    }
    if (url.username || url.password) {
      return 'must not carry credentials';
    }
    return undefined;
  } catch (error) {
    const message = (error as Error).message ?? '';
    return message.startsWith('Invalid URL: ')
      ? message.slice('Invalid URL: '.length)
      : 'must be a URL';
  }
}

/**
 * The verdicts on recent GitOps URLs: a fleet's entities share a few, and a
 * fleet answer reads every entity (10,000 URL parses otherwise).
 */
const urlProblems = boundedMemo<string | undefined>(256);

/** The last GitOps path's normal form: each entity's is checked, then used. */
const lastRepoPath = boundedMemo<string>(1);

function repoPath(value: string): string {
  return lastRepoPath(value, () => normalizeRepoPath(value, 'GitOps path'));
}

function checkSlug(value: string): string | undefined {
  return /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/.test(value) &&
    !value.split('/').includes('..')
    ? undefined
    : 'must look like owner/name';
}

function checkPath(value: string): string | undefined {
  try {
    repoPath(value);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** `key=value[,key=value…]`, as Argo CD and Kubernetes take label selectors. */
function checkSelector(value: string): string | undefined {
  return /^[A-Za-z0-9./_-]+=[A-Za-z0-9._-]+(,[A-Za-z0-9./_-]+=[A-Za-z0-9._-]+)*$/.test(
    value,
  )
    ? undefined
    : 'must be a label selector like slipway.dev/app=<app>';
}

const CHECKS: Record<string, (value: string) => string | undefined> = {
  [A.gitopsRepo]: v => urlProblems(v, () => checkUrl(v)),
  [A.gitopsPath]: checkPath,
  [A.image]: v =>
    isImageRepository(v)
      ? undefined
      : 'must be an image repository without tag or digest',
  [A.argocdAppSelector]: checkSelector,
  [A.fluxSelector]: checkSelector,
  [A.argocdAppName]: v =>
    /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(v)
      ? undefined
      : 'must be an Argo CD Application name',
  [A.argocdInstanceName]: v =>
    /^[A-Za-z0-9_.-]{1,63}$/.test(v) ? undefined : 'must be an instance name',
  [A.fluxCluster]: v =>
    /^[A-Za-z0-9_.-]{1,63}$/.test(v) ? undefined : 'must be a cluster name',
  [A.githubProjectSlug]: checkSlug,
  [A.gitlabProjectSlug]: checkSlug,
  [A.harborRepositorySlug]: checkSlug,
  [A.sonarqubeProjectKey]: v =>
    /^[A-Za-z0-9_.:-]{1,400}$/.test(v) ? undefined : 'must be a project key',
};

/**
 * Reads the Slipway view of an entity from its annotations and the configured
 * environments. Pure: no upstream call.
 *
 * @public
 */
export function readEntityDeployConfig(
  entity: Entity,
  options: {
    environments: SlipwayEnvironment[];
    providers?: { kind: ProviderKind; id: string }[];
  },
): EntityDeployConfig {
  const raw = entity.metadata.annotations ?? {};
  const findings: AnnotationFinding[] = [];
  const valid: Record<string, string> = {};

  for (const annotation of Object.keys(PURPOSES)) {
    const value = raw[annotation]?.trim();
    const finding: AnnotationFinding = {
      annotation,
      purpose: PURPOSES[annotation],
    };
    if (value) {
      finding.value = value;
      const check = CHECKS[annotation];
      const problem = check ? check(value) : undefined;
      if (problem) {
        finding.problem = problem;
      } else {
        valid[annotation] = value;
      }
    }
    findings.push(finding);
  }

  let environments = options.environments;
  const narrowing = raw[A.environments];
  if (narrowing) {
    const wanted = narrowing
      .split(',')
      .map(s => s.trim())
      .filter(Boolean);
    const unknown = wanted.filter(
      w => !isDnsLabel(w) || !options.environments.some(e => e.name === w),
    );
    const finding = findings.find(f => f.annotation === A.environments)!;
    if (unknown.length > 0) {
      finding.problem = `unknown environments: ${unknown.join(', ')}`;
    }
    environments = options.environments.filter(e => wanted.includes(e.name));
  }

  const missing: string[] = [];
  for (const required of [A.gitopsRepo, A.gitopsPath, A.image]) {
    if (!valid[required]) {
      missing.push(required);
    }
  }
  if (
    !valid[A.argocdAppSelector] &&
    !valid[A.argocdAppName] &&
    !valid[A.fluxSelector]
  ) {
    // A Flux entity whose selector is wrong is told about the Flux one.
    missing.push(
      raw[A.fluxSelector]?.trim() ? A.fluxSelector : A.argocdAppSelector,
    );
  }

  const config: EntityDeployConfig = {
    entityRef: stringifyEntityRef(entity),
    annotations: findings,
    missing,
    environments,
    providers: options.providers ?? [],
  };
  if (valid[A.gitopsRepo] && valid[A.gitopsPath]) {
    config.gitops = {
      repo: /^https?:/.test(valid[A.gitopsRepo])
        ? normalizeHttpUrl(valid[A.gitopsRepo])
        : valid[A.gitopsRepo],
      path: repoPath(valid[A.gitopsPath]),
    };
  }
  if (valid[A.image]) {
    config.image = valid[A.image];
  }
  if (valid[A.fluxSelector]) {
    // An entity uses Flux when it names its Flux objects.
    config.flux = { selector: valid[A.fluxSelector] };
    if (valid[A.fluxCluster]) config.flux.cluster = valid[A.fluxCluster];
  } else if (valid[A.argocdAppSelector] || valid[A.argocdAppName]) {
    config.argocd = {
      appSelector: valid[A.argocdAppSelector],
      appName: valid[A.argocdAppName],
      instance: valid[A.argocdInstanceName],
    };
  }
  if (valid[A.githubProjectSlug]) {
    config.ci = { provider: 'github', projectSlug: valid[A.githubProjectSlug] };
  } else if (valid[A.gitlabProjectSlug]) {
    config.ci = { provider: 'gitlab', projectSlug: valid[A.gitlabProjectSlug] };
  }
  if (valid[A.harborRepositorySlug]) {
    config.registry = { harborRepositorySlug: valid[A.harborRepositorySlug] };
  }
  if (valid[A.sonarqubeProjectKey]) {
    config.quality = { sonarqubeProjectKey: valid[A.sonarqubeProjectKey] };
  }
  return config;
}
