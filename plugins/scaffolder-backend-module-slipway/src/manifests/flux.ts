import { InputError } from '@backstage/errors';
import {
  APP_LABEL,
  applicationName,
  assertDnsLabel,
  ENVIRONMENT_LABEL,
  normalizeRepoPath,
  overlayPath,
} from '@slipway/plugin-slipway-common';
import {
  assertRepositoryUrl,
  ContainedFile,
  matchesGlob,
} from '@slipway/plugin-slipway-node';
import { toYaml, toYamlStream } from './yamlFiles';

/** Label naming the team on the objects a team shares. @public */
export const TEAM_LABEL = 'slipway.dev/team';

/** The entity annotation selecting an app's Flux objects. @public */
export const FLUX_SELECTOR_ANNOTATION = 'slipway.dev/flux-selector';

/** The service account every team's Kustomizations run as. @public */
export const FLUX_SERVICE_ACCOUNT = 'flux-reconciler';

/** Name of the team's GitRepository for the GitOps repository. @public */
export const FLUX_SOURCE_NAME = 'gitops';

/**
 * The namespaced ClusterRole a team's service account is bound to in each of
 * its target namespaces (never cluster-admin, never through a
 * ClusterRoleBinding).
 *
 * @public
 */
export const FLUX_TARGET_ROLE = 'admin';

/**
 * Reconcile interval per sync mode: `auto` environments (dev) every minute;
 * `manual` ones (staging, prod) daily, since they change only when a
 * promotion lands and the promotion engine requests reconciliation then.
 *
 * @public
 */
export const FLUX_INTERVALS: Record<'auto' | 'manual', string> = {
  auto: '1m',
  manual: '24h',
};

const KUSTOMIZE_API = 'kustomize.config.k8s.io/v1beta1';
const BRANCH = /^[A-Za-z0-9._/-]{1,200}$/;

/**
 * What an administrator allows generated Flux objects to point at
 * (`slipway.scaffolder.flux`). Unset lists fall back to the defaults
 * documented on each field.
 *
 * @public
 */
export interface FluxTenancyPolicy {
  /** Globs of GitRepository URLs. Default: any (the action logs a warning). */
  allowedSourceRepos?: string[];
  /** Globs of target namespaces. Default: any namespace not denied. */
  allowedTargetNamespaces?: string[];
  /**
   * Namespaces never allowed as target or team namespaces. Default:
   * kube-system, kube-public, kube-node-lease, default, flux-system.
   */
  deniedTargetNamespaces?: string[];
}

/** One environment of {@link FluxAppOptions}. @public */
export interface FluxEnvironment {
  name: string;
  syncMode: 'auto' | 'manual';
  /** Target namespace; default `<app>-<env>`. */
  namespace?: string;
}

/** What {@link buildFluxObjects} generates. @public */
export interface FluxAppOptions {
  app: string;
  /** Owning team: names the namespace holding the source and Kustomizations. */
  team: string;
  /** Clone URL of the GitOps repository. */
  repoUrl: string;
  /** Branch the GitRepository tracks. Default `main`. */
  branch?: string;
  gitopsPath: string;
  environments: FluxEnvironment[];
  /** The workload health-checked in every environment. Default Deployment. */
  workloadKind?: 'Deployment' | 'Rollout';
  /** Name of the team's GitRepository. Default `gitops`. */
  sourceName?: string;
  /**
   * Decrypt SOPS-encrypted files with the environment's age key, the Secret
   * `sops-age-<env>` in the team's namespace (`spec.decryption`).
   */
  sopsDecryption?: boolean;
}

/** The generated objects. @public */
export interface FluxObjects {
  /** The team's namespace, GitRepository and service account. */
  team: { namespace: any; serviceAccount: any; gitRepository: any };
  /** The app's target namespaces and a RoleBinding in each. */
  targets: { namespaces: any[]; roleBindings: any[] };
  /** One Kustomization per environment. */
  kustomizations: any[];
}

const DEFAULT_DENIED_NAMESPACES = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'default',
  'flux-system',
];

/** Target namespace of an environment: `<app>-<env>` unless set. @public */
export function fluxNamespaceOf(app: string, env: FluxEnvironment): string {
  return env.namespace ?? `${app}-${env.name}`;
}

/** The label selector the entity's `slipway.dev/flux-selector` carries. @public */
export function fluxSelector(app: string): string {
  return `${APP_LABEL}=${assertDnsLabel(app, 'app name')}`;
}

function validate(options: FluxAppOptions) {
  assertDnsLabel(options.app, 'app name');
  assertDnsLabel(options.team, 'team');
  assertDnsLabel(options.sourceName ?? FLUX_SOURCE_NAME, 'source name');
  assertRepositoryUrl(options.repoUrl, 'GitOps repository URL');
  normalizeRepoPath(options.gitopsPath, 'GitOps path');
  const branch = options.branch ?? 'main';
  if (!BRANCH.test(branch) || branch.split('/').includes('..')) {
    throw new InputError('Invalid branch');
  }
  if (!['Deployment', 'Rollout'].includes(options.workloadKind ?? 'Deployment'))
    throw new InputError('Invalid workload kind');
  if (options.environments.length === 0) {
    throw new InputError('At least one environment is needed');
  }
  const namespaces = new Set<string>();
  for (const env of options.environments) {
    assertDnsLabel(env.name, 'environment');
    const namespace = assertDnsLabel(
      fluxNamespaceOf(options.app, env),
      'namespace',
    );
    if (namespaces.has(namespace)) {
      throw new InputError(`Namespace ${namespace} is used twice`);
    }
    namespaces.add(namespace);
    if (env.syncMode !== 'auto' && env.syncMode !== 'manual') {
      throw new InputError(`Invalid sync mode of ${env.name}`);
    }
  }
}

/**
 * Builds the Flux objects of an app (the tenancy model of Flux's multi-tenancy
 * guide): in the team's namespace a GitRepository for the GitOps repository,
 * the service account `flux-reconciler` and one Kustomization `<app>-<env>`
 * per environment (labelled with app and environment; `prune`, a health
 * check of the workload, `targetNamespace`, the team's service account, no
 * cross-namespace source reference; interval per sync mode); in each target
 * namespace a RoleBinding of that service account to the namespaced `admin`
 * ClusterRole.
 *
 * @public
 */
export function buildFluxObjects(input: FluxAppOptions): FluxObjects {
  validate(input);
  const { app, team } = input;
  const gitopsPath = normalizeRepoPath(input.gitopsPath, 'GitOps path');
  const sourceName = input.sourceName ?? FLUX_SOURCE_NAME;
  const workloadKind = input.workloadKind ?? 'Deployment';
  const teamLabels = { [TEAM_LABEL]: team };

  const namespace = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: team, labels: teamLabels },
  };
  const serviceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: FLUX_SERVICE_ACCOUNT,
      namespace: team,
      labels: teamLabels,
    },
  };
  const gitRepository = {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: sourceName, namespace: team, labels: teamLabels },
    spec: {
      interval: '1m',
      url: assertRepositoryUrl(input.repoUrl, 'GitOps repository URL'),
      ref: { branch: input.branch ?? 'main' },
    },
  };

  const namespaces: any[] = [];
  const roleBindings: any[] = [];
  const kustomizations = input.environments.map(env => {
    const target = fluxNamespaceOf(app, env);
    const labels = { [APP_LABEL]: app, [ENVIRONMENT_LABEL]: env.name };
    namespaces.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: target, labels: { ...labels, ...teamLabels } },
    });
    roleBindings.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {
        name: FLUX_SERVICE_ACCOUNT,
        namespace: target,
        labels: { ...labels, ...teamLabels },
      },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: FLUX_TARGET_ROLE,
      },
      subjects: [
        { kind: 'ServiceAccount', name: FLUX_SERVICE_ACCOUNT, namespace: team },
      ],
    });
    return {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: {
        name: applicationName(app, env.name),
        namespace: team,
        labels,
      },
      spec: {
        interval: FLUX_INTERVALS[env.syncMode],
        path: `./${overlayPath(gitopsPath, env.name)}`,
        sourceRef: { kind: 'GitRepository', name: sourceName },
        targetNamespace: target,
        serviceAccountName: FLUX_SERVICE_ACCOUNT,
        prune: true,
        timeout: '5m',
        ...(input.sopsDecryption && {
          decryption: {
            provider: 'sops',
            secretRef: { name: `sops-age-${env.name}` },
          },
        }),
        healthChecks: [
          {
            apiVersion:
              workloadKind === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1',
            kind: workloadKind,
            name: app,
            namespace: target,
          },
        ],
      },
    };
  });
  return {
    team: { namespace, serviceAccount, gitRepository },
    targets: { namespaces, roleBindings },
    kustomizations,
  };
}

function namespaceProblem(
  namespace: string,
  policy: FluxTenancyPolicy,
  what: string,
  checkAllowed: boolean,
): string | undefined {
  const denied = policy.deniedTargetNamespaces ?? DEFAULT_DENIED_NAMESPACES;
  if (denied.some(pattern => matchesGlob(pattern, namespace))) {
    return `${what} ${namespace} is reserved`;
  }
  if (
    checkAllowed &&
    policy.allowedTargetNamespaces &&
    !policy.allowedTargetNamespaces.some(pattern =>
      matchesGlob(pattern, namespace),
    )
  ) {
    return `${what} ${namespace} is not in the allowed target namespaces`;
  }
  return undefined;
}

/**
 * Checks generated Flux objects against the administrator's tenancy policy:
 * only allowed source repositories, only allowed and never reserved target
 * namespaces (nor a reserved team namespace), no cross-namespace source
 * reference, every Kustomization running as the team's service account into
 * a namespace where that account is bound, and only RoleBindings to the
 * namespaced `admin` role. Throws InputError naming every problem.
 *
 * @public
 */
export function assertFluxTenancy(
  objects: FluxObjects,
  policy: FluxTenancyPolicy,
): void {
  const problems: string[] = [];
  const check = (problem: string | undefined) => {
    if (problem && !problems.includes(problem)) problems.push(problem);
  };
  const team = objects.team.namespace.metadata.name as string;
  check(namespaceProblem(team, policy, 'team namespace', false));

  const url = objects.team.gitRepository.spec.url as string;
  if (
    policy.allowedSourceRepos &&
    !policy.allowedSourceRepos.some(pattern => matchesGlob(pattern, url))
  ) {
    check(`source repository ${url} is not in the allowed source repositories`);
  }

  const bound = new Set<string>();
  for (const binding of objects.targets.roleBindings) {
    if (
      binding.kind !== 'RoleBinding' ||
      binding.roleRef?.kind !== 'ClusterRole' ||
      binding.roleRef?.name !== FLUX_TARGET_ROLE
    ) {
      check(`only RoleBindings to the ${FLUX_TARGET_ROLE} role are allowed`);
    }
    for (const subject of binding.subjects ?? []) {
      if (subject.namespace !== team || subject.name !== FLUX_SERVICE_ACCOUNT) {
        check(`RoleBinding subjects must be ${team}/${FLUX_SERVICE_ACCOUNT}`);
      }
    }
    bound.add(binding.metadata.namespace);
  }
  for (const kustomization of objects.kustomizations) {
    const spec = kustomization.spec;
    if (kustomization.metadata.namespace !== team) {
      check(`Kustomization ${kustomization.metadata.name} is outside ${team}`);
    }
    if (
      spec.sourceRef?.namespace !== undefined &&
      spec.sourceRef.namespace !== team
    ) {
      check('cross-namespace source references are not allowed');
    }
    if (spec.serviceAccountName !== FLUX_SERVICE_ACCOUNT) {
      check(`Kustomizations must run as ${FLUX_SERVICE_ACCOUNT}`);
    }
    check(
      namespaceProblem(spec.targetNamespace, policy, 'target namespace', true),
    );
    if (!bound.has(spec.targetNamespace)) {
      check(`target namespace ${spec.targetNamespace} has no RoleBinding`);
    }
  }
  if (problems.length > 0) {
    throw new InputError(
      `Flux objects escape their tenancy: ${problems.join('; ')}`,
    );
  }
}

/** Where {@link fluxFiles} puts things. @public */
export interface FluxLayout {
  app: string;
  team: string;
  /** Cluster whose entry point (`<fluxPath>/clusters/<cluster>`) includes them. */
  cluster: string;
  /** Root of the Flux tree in the repository. Default `flux`. */
  fluxPath?: string;
}

function kustomizationConfig(resources: string[]) {
  return { apiVersion: KUSTOMIZE_API, kind: 'Kustomization', resources };
}

/**
 * The files of the Flux layout, relative to the GitOps repository root:
 * `<flux>/sources/<team>/` (namespace, service account, GitRepository and a
 * kustomization listing them; `<app>.yaml` with the app's target namespaces
 * and RoleBindings), `<flux>/releases/<app>/<env>.yaml` (a Kustomization per
 * environment, listed by the folder's kustomization.yaml) and
 * `<flux>/clusters/<cluster>/kustomization.yaml` including both folders.
 * Files other apps share (kustomization.yaml, the team's objects) are merged
 * into existing ones by `mergeScaffoldedFile`, never overwritten.
 *
 * @public
 */
export function fluxFiles(
  layout: FluxLayout,
  objects: FluxObjects,
): ContainedFile[] {
  const root = normalizeRepoPath(layout.fluxPath ?? 'flux', 'Flux path');
  const team = assertDnsLabel(layout.team, 'team');
  const app = assertDnsLabel(layout.app, 'app name');
  const cluster = assertDnsLabel(layout.cluster, 'Flux cluster');
  const sources = `${root}/sources/${team}`;
  const releases = `${root}/releases/${app}`;
  // One GitRepository per team and repository (named after sourceName).
  const sourceFile = 'gitrepository.yaml';
  const releaseFiles = objects.kustomizations.map(k => ({
    path: `${releases}/${k.metadata.labels[ENVIRONMENT_LABEL]}.yaml`,
    content: toYaml(k),
  }));
  return [
    {
      path: `${sources}/kustomization.yaml`,
      content: toYaml(
        kustomizationConfig([
          'namespace.yaml',
          'serviceaccount.yaml',
          sourceFile,
          `${app}.yaml`,
        ]),
      ),
    },
    {
      path: `${sources}/namespace.yaml`,
      content: toYaml(objects.team.namespace),
    },
    {
      path: `${sources}/serviceaccount.yaml`,
      content: toYaml(objects.team.serviceAccount),
    },
    {
      path: `${sources}/${sourceFile}`,
      content: toYaml(objects.team.gitRepository),
    },
    {
      path: `${sources}/${app}.yaml`,
      content: toYamlStream([
        ...objects.targets.namespaces,
        ...objects.targets.roleBindings,
      ]),
    },
    ...releaseFiles,
    {
      path: `${releases}/kustomization.yaml`,
      content: toYaml(
        kustomizationConfig(
          releaseFiles.map(f => f.path.slice(releases.length + 1)),
        ),
      ),
    },
    {
      path: `${root}/clusters/${cluster}/kustomization.yaml`,
      content: toYaml(
        kustomizationConfig([`../../sources/${team}`, `../../releases/${app}`]),
      ),
    },
  ];
}
