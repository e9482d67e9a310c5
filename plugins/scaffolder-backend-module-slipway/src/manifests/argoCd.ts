import { InputError } from '@backstage/errors';
import {
  APP_LABEL,
  applicationName,
  assertDnsLabel,
  assertImageRepository,
  ENVIRONMENT_LABEL,
  normalizeRepoPath,
  overlayPath,
} from '@slipway/plugin-slipway-common';
import { isMap, isScalar, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import {
  assertDnsSubdomain,
  assertRepositoryUrl,
  ContainedFile,
  matchesGlob,
} from '@slipway/plugin-slipway-node';
import { PREVIEW_OVERLAY } from './gitopsApp';
import { toYaml } from './yamlFiles';

/** The in-cluster API server address Argo CD uses. @public */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

/** A destination: API server and namespace, each may be a `*` glob in allowlists. @public */
export interface ArgoCdDestination {
  server: string;
  namespace: string;
}

/**
 * What an administrator allows generated Argo CD objects to point at. Unset
 * lists fall back to the defaults documented on each field.
 *
 * @public
 */
export interface ArgoCdTenancyPolicy {
  /** Default: the in-cluster server, any namespace not denied. */
  allowedDestinations?: ArgoCdDestination[];
  /** Globs of source repository URLs. Default: any (the action logs a warning). */
  allowedSourceRepos?: string[];
  /** Projects that generated objects may never use. Always includes `default`. */
  forbiddenProjects?: string[];
  /** Namespaces never allowed as destinations. Default: system namespaces and Argo CD's. */
  deniedNamespaces?: string[];
}

/** One environment of {@link ArgoCdAppOptions}. @public */
export interface ArgoCdEnvironment {
  name: string;
  namespace?: string;
  syncMode: 'auto' | 'manual';
  server?: string;
}

/** Pull request preview environments through an ApplicationSet. @public */
export interface ArgoCdPreviewOptions {
  provider: 'github' | 'gitlab';
  /** GitHub owner/repo or GitLab group/project of the service repository. */
  repository: string;
  /** API base URL for GitHub Enterprise or self-managed GitLab. */
  api?: string;
  /** Secret in the Argo CD namespace holding the SCM token (key `token`). */
  tokenSecretName?: string;
  /** Overlay the previews are built from. Default: the first environment. */
  fromEnvironment?: string;
  /** Domain under which `<app>-pr-<n>.<domain>` previews are served. */
  domain?: string;
}

/** What {@link buildArgoCdObjects} generates. @public */
export interface ArgoCdAppOptions {
  app: string;
  /** Owning team: names the AppProject. */
  team: string;
  /** GitOps repository URL the Applications read from. */
  repoUrl: string;
  gitopsPath: string;
  image: string;
  environments: ArgoCdEnvironment[];
  targetRevision?: string;
  argocdNamespace?: string;
  preview?: ArgoCdPreviewOptions;
}

/** The generated objects. @public */
export interface ArgoCdObjects {
  project: any;
  applications: any[];
  applicationSet?: any;
}

const DEFAULT_DENIED_NAMESPACES = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'default',
];

const REVISION = /^[A-Za-z0-9._/-]{1,200}$/;
const REPOSITORY_SLUG = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;

/** Namespace of an environment: `<app>-<env>` unless set. @public */
export function argoCdNamespaceOf(app: string, env: ArgoCdEnvironment): string {
  return env.namespace ?? `${app}-${env.name}`;
}

/** Namespace pattern of the previews of an app. @public */
export function previewNamespacePattern(app: string): string {
  return `${app}-pr-*`;
}

function validate(options: ArgoCdAppOptions) {
  assertDnsLabel(options.app, 'app name');
  assertDnsLabel(options.team, 'team');
  assertRepositoryUrl(options.repoUrl, 'GitOps repository URL');
  normalizeRepoPath(options.gitopsPath, 'GitOps path');
  assertImageRepository(options.image);
  assertDnsLabel(options.argocdNamespace ?? 'argocd', 'Argo CD namespace');
  if (options.targetRevision && !REVISION.test(options.targetRevision)) {
    throw new InputError('Invalid target revision');
  }
  if (options.targetRevision?.split('/').includes('..')) {
    throw new InputError('Invalid target revision');
  }
  if (options.environments.length === 0) {
    throw new InputError('At least one environment is needed');
  }
  for (const env of options.environments) {
    assertDnsLabel(env.name, 'environment');
    assertDnsLabel(argoCdNamespaceOf(options.app, env), 'namespace');
    if (env.server) assertRepositoryUrl(env.server, 'destination server');
    if (env.syncMode !== 'auto' && env.syncMode !== 'manual') {
      throw new InputError(`Invalid sync mode of ${env.name}`);
    }
  }
  if (options.preview) {
    if (!REPOSITORY_SLUG.test(options.preview.repository)) {
      throw new InputError('Invalid preview repository: must be owner/name');
    }
    if (options.preview.repository.split('/').includes('..')) {
      throw new InputError('Invalid preview repository');
    }
    if (options.preview.api) {
      assertRepositoryUrl(options.preview.api, 'SCM API URL');
    }
    if (options.preview.tokenSecretName) {
      assertDnsSubdomain(options.preview.tokenSecretName, 'token secret');
    }
    if (options.preview.domain) {
      assertDnsSubdomain(options.preview.domain, 'preview domain');
    }
    if (
      options.preview.fromEnvironment &&
      !options.environments.some(
        e => e.name === options.preview!.fromEnvironment,
      )
    ) {
      throw new InputError(
        'Preview environment template must be a configured environment',
      );
    }
  }
}

/**
 * Builds one Argo CD Application per environment (`<app>-<env>`, labelled
 * with the app and environment; `auto` environments sync automatically with
 * prune and self-heal, the others are manual), the owning team's AppProject
 * (only the GitOps repository as source, only the app's namespaces as
 * destinations, no cluster-scoped resources) and, optionally, an
 * ApplicationSet with the pull request generator for previews.
 *
 * @public
 */
export function buildArgoCdObjects(input: ArgoCdAppOptions): ArgoCdObjects {
  validate(input);
  // Manifests carry the normalised URLs, the same ones the tenancy check compares.
  const options: ArgoCdAppOptions = {
    ...input,
    repoUrl: assertRepositoryUrl(input.repoUrl, 'GitOps repository URL'),
    environments: input.environments.map(env =>
      env.server
        ? {
            ...env,
            server: assertRepositoryUrl(env.server, 'destination server'),
          }
        : env,
    ),
  };
  const { app, team } = options;
  const argocdNamespace = options.argocdNamespace ?? 'argocd';
  const targetRevision = options.targetRevision ?? 'HEAD';
  const destinations: ArgoCdDestination[] = [];

  const applications = options.environments.map(env => {
    const destination = {
      server: env.server ?? IN_CLUSTER_SERVER,
      namespace: argoCdNamespaceOf(app, env),
    };
    destinations.push(destination);
    return {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: applicationName(app, env.name),
        namespace: argocdNamespace,
        labels: { [APP_LABEL]: app, [ENVIRONMENT_LABEL]: env.name },
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: {
        project: team,
        source: {
          repoURL: options.repoUrl,
          targetRevision,
          path: overlayPath(options.gitopsPath, env.name),
        },
        destination,
        syncPolicy:
          env.syncMode === 'auto'
            ? {
                automated: { prune: true, selfHeal: true },
                syncOptions: ['CreateNamespace=true'],
              }
            : { syncOptions: ['CreateNamespace=true'] },
      },
    };
  });

  let applicationSet: any;
  if (options.preview) {
    const preview = options.preview;
    const from = preview.fromEnvironment ?? options.environments[0].name;
    const server =
      options.environments.find(e => e.name === from)?.server ??
      IN_CLUSTER_SERVER;
    const namespace = `${app}-pr-{{.number}}`;
    destinations.push({ server, namespace: previewNamespacePattern(app) });
    const tokenRef = {
      secretName: preview.tokenSecretName ?? `${preview.provider}-token`,
      key: 'token',
    };
    const [owner, ...rest] = preview.repository.split('/');
    const generator =
      preview.provider === 'github'
        ? {
            github: {
              owner,
              repo: rest.join('/'),
              ...(preview.api && { api: preview.api }),
              tokenRef,
            },
            requeueAfterSeconds: 300,
          }
        : {
            gitlab: {
              project: preview.repository,
              ...(preview.api && { api: preview.api }),
              tokenRef,
              pullRequestState: 'opened',
            },
            requeueAfterSeconds: 300,
          };
    const host = `${app}-pr-{{.number}}.${
      preview.domain ?? 'preview.apps.example.com'
    }`;
    applicationSet = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: {
        name: `${app}-previews`,
        namespace: argocdNamespace,
        labels: { [APP_LABEL]: app },
      },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [{ pullRequest: generator }],
        template: {
          metadata: {
            name: `${app}-pr-{{.number}}`,
            labels: { [APP_LABEL]: app, [ENVIRONMENT_LABEL]: 'preview' },
            finalizers: ['resources-finalizer.argocd.argoproj.io'],
          },
          spec: {
            project: team,
            source: {
              repoURL: options.repoUrl,
              targetRevision,
              // The preview overlay holds the Namespace, so the preview owns
              // it and the finalizer deletes it when the pull request closes.
              path: overlayPath(options.gitopsPath, PREVIEW_OVERLAY),
              kustomize: {
                namespace,
                images: [`${options.image}:{{.head_sha}}`],
                patches: [
                  {
                    target: { kind: 'Ingress', name: app },
                    patch: JSON.stringify([
                      {
                        op: 'replace',
                        path: '/spec/rules/0/host',
                        value: host,
                      },
                      { op: 'remove', path: '/spec/tls' },
                    ]),
                  },
                ],
              },
            },
            destination: { server, namespace },
            syncPolicy: {
              automated: { prune: true, selfHeal: true },
            },
          },
        },
      },
    };
  }

  const project = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: {
      name: team,
      namespace: argocdNamespace,
      labels: { 'slipway.dev/team': team },
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      description: `Applications of ${team}`,
      sourceRepos: [options.repoUrl],
      destinations,
      // Previews manage their own Namespace (so it is deleted with them);
      // without previews the team gets no cluster-scoped resources at all.
      clusterResourceWhitelist: options.preview
        ? [{ group: '', kind: 'Namespace' }]
        : [],
      namespaceResourceBlacklist: [
        { group: '', kind: 'ResourceQuota' },
        { group: '', kind: 'LimitRange' },
        { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
      ],
    },
  };
  return { project, applications, applicationSet };
}

/**
 * Where the generated objects go, relative to the GitOps repository root:
 * Applications and the ApplicationSet in `<gitopsPath>/argocd/`, the team's
 * AppProject in `<projectsPath>/<team>.yaml`.
 *
 * @public
 */
export function argoCdFiles(
  options: { app: string; gitopsPath: string; projectsPath?: string },
  objects: ArgoCdObjects,
): ContainedFile[] {
  const folder = `${normalizeRepoPath(
    options.gitopsPath,
    'GitOps path',
  )}/argocd`;
  const files: ContainedFile[] = objects.applications.map(application => ({
    path: `${folder}/${application.metadata.name}.yaml`,
    content: toYaml(application),
  }));
  if (objects.applicationSet) {
    files.push({
      path: `${folder}/${objects.applicationSet.metadata.name}.yaml`,
      content: toYaml(objects.applicationSet),
    });
  }
  const projects = normalizeRepoPath(
    options.projectsPath ?? 'projects',
    'projects path',
  );
  files.push({
    path: `${projects}/${objects.project.metadata.name}.yaml`,
    content: toYaml(objects.project),
  });
  return files;
}

function destinationAllowed(
  destination: ArgoCdDestination,
  policy: ArgoCdTenancyPolicy,
  argocdNamespace: string,
): string | undefined {
  const denied = [
    ...(policy.deniedNamespaces ?? DEFAULT_DENIED_NAMESPACES),
    argocdNamespace,
  ];
  if (denied.some(pattern => matchesGlob(pattern, destination.namespace))) {
    return `namespace ${destination.namespace} is reserved`;
  }
  if (destination.namespace === '*' || destination.server === '*') {
    return 'wildcard destinations are not allowed';
  }
  const allowed = policy.allowedDestinations ?? [
    { server: IN_CLUSTER_SERVER, namespace: '*' },
  ];
  let server: string;
  try {
    server = assertRepositoryUrl(destination.server, 'destination server');
  } catch (error) {
    return (error as Error).message;
  }
  const match = allowed.some(
    rule =>
      matchesGlob(rule.server, server) &&
      matchesGlob(rule.namespace, destination.namespace),
  );
  return match
    ? undefined
    : `destination ${destination.server} ${destination.namespace} is not in the allowed destinations`;
}

function sourceAllowed(raw: string, policy: ArgoCdTenancyPolicy) {
  if (!policy.allowedSourceRepos) return undefined;
  let repoUrl: string;
  try {
    repoUrl = assertRepositoryUrl(raw, 'source repository');
  } catch (error) {
    return (error as Error).message;
  }
  return policy.allowedSourceRepos.some(pattern =>
    matchesGlob(pattern, repoUrl),
  )
    ? undefined
    : `source repository ${repoUrl} is not in the allowed source repositories`;
}

function projectAllowed(project: string, policy: ArgoCdTenancyPolicy) {
  const forbidden = new Set(['default', ...(policy.forbiddenProjects ?? [])]);
  return forbidden.has(project)
    ? `project ${project} is not allowed`
    : undefined;
}

/**
 * Checks generated Argo CD objects against the administrator's tenancy
 * policy: no forbidden project (never `default`), only allowed source
 * repositories, only allowed and never reserved destinations, no wildcard.
 * Throws InputError naming every problem.
 *
 * @public
 */
export function assertArgoCdTenancy(
  objects: ArgoCdObjects,
  policy: ArgoCdTenancyPolicy,
  argocdNamespace = 'argocd',
): void {
  const problems: string[] = [];
  const check = (problem: string | undefined) => {
    if (problem && !problems.includes(problem)) problems.push(problem);
  };
  const specs = [
    ...objects.applications.map(a => a.spec),
    ...(objects.applicationSet
      ? [objects.applicationSet.spec.template.spec]
      : []),
  ];
  for (const spec of specs) {
    check(projectAllowed(spec.project, policy));
    check(sourceAllowed(spec.source.repoURL, policy));
    check(
      destinationAllowed(
        {
          server: spec.destination.server,
          namespace: String(spec.destination.namespace).replace(
            /\{\{[^}]*\}\}/g,
            '*',
          ),
        },
        policy,
        argocdNamespace,
      ),
    );
  }
  check(projectAllowed(objects.project.metadata.name, policy));
  for (const repo of objects.project.spec.sourceRepos) {
    check(sourceAllowed(repo, policy));
  }
  for (const destination of objects.project.spec.destinations) {
    check(destinationAllowed(destination, policy, argocdNamespace));
  }
  if (problems.length > 0) {
    throw new InputError(
      `Argo CD objects escape their tenancy: ${problems.join('; ')}`,
    );
  }
}

/**
 * Merges a generated AppProject into an existing one (same name), adding
 * missing source repositories and destinations by editing the parsed tree,
 * so comments, layout and anything an admin added are kept. Never removes.
 *
 * @public
 */
export function mergeAppProject(
  existing: string,
  generated: any,
): { content: string; changed: boolean } {
  const doc = parseDocument(existing, { uniqueKeys: true });
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    throw new InputError('The existing AppProject does not parse');
  }
  const root = doc.contents as YAMLMap;
  if (
    root.get('kind') !== 'AppProject' ||
    doc.getIn(['metadata', 'name']) !== generated.metadata.name
  ) {
    throw new InputError(
      `The existing file is not the AppProject ${generated.metadata.name}; refusing to overwrite it`,
    );
  }
  let changed = false;
  const listAt = (key: string): YAMLSeq => {
    let spec: unknown = root.get('spec', true);
    if (!isMap(spec)) {
      spec = doc.createNode({});
      root.set('spec', spec);
    }
    const specMap = spec as YAMLMap;
    let list: unknown = specMap.get(key, true);
    if (!isSeq(list)) {
      list = doc.createNode([]);
      specMap.set(key, list);
    }
    return list as YAMLSeq;
  };
  const repos = listAt('sourceRepos');
  for (const repo of generated.spec.sourceRepos as string[]) {
    if (!repos.items.some(item => isScalar(item) && item.value === repo)) {
      repos.items.push(doc.createNode(repo) as any);
      changed = true;
    }
  }
  const destinations = listAt('destinations');
  for (const destination of generated.spec
    .destinations as ArgoCdDestination[]) {
    const present = destinations.items.some(
      item =>
        isMap(item) &&
        item.get('server') === destination.server &&
        item.get('namespace') === destination.namespace,
    );
    if (!present) {
      destinations.items.push(doc.createNode(destination) as any);
      changed = true;
    }
  }
  return changed
    ? { content: doc.toString({ lineWidth: 0 }), changed }
    : { content: existing, changed };
}
