import { InputError } from '@backstage/errors';
import {
  APP_LABEL,
  assertDnsLabel,
  assertImageRepository,
  assertOciTag,
  basePath,
  ENVIRONMENT_LABEL,
  overlayPath,
} from '@slipway/plugin-slipway-common';
import {
  assertDnsSubdomain,
  assertHttpPath,
  assertIntegerInRange,
  assertQuantity,
  ContainedFile,
} from '@slipway/plugin-slipway-node';
import { toYaml } from './yamlFiles';

/** How a new version reaches the pods. @public */
export type DeliveryStrategy = 'rolling' | 'canary' | 'blue-green';

/** The delivery strategies, in the order forms show them. @public */
export const DELIVERY_STRATEGIES: DeliveryStrategy[] = [
  'rolling',
  'canary',
  'blue-green',
];

/** Requests and limits of the application container. @public */
export interface ContainerResources {
  cpuRequest: string;
  cpuLimit: string;
  memoryRequest: string;
  memoryLimit: string;
}

/** Settings of one environment's overlay. @public */
export interface GitOpsEnvironment {
  name: string;
  replicas: number;
  /** Upper bound of the HorizontalPodAutoscaler; defaults to 3 × replicas. */
  maxReplicas?: number;
  resources: ContainerResources;
  /** Defaults to `<app>-<env>`. */
  namespace?: string;
  /** Defaults to `<app>.<env>.<ingress domain>`. */
  ingressHost?: string;
}

/** Overrides of an environment's defaults, every field optional. @public */
export interface GitOpsEnvironmentOverride {
  name: string;
  replicas?: number;
  maxReplicas?: number;
  resources?: Partial<ContainerResources>;
  namespace?: string;
  ingressHost?: string;
}

/** What {@link buildGitOpsApp} generates. @public */
export interface GitOpsAppOptions {
  app: string;
  /** Image repository, without tag. */
  image: string;
  /** Tag written in every overlay until CI sets the first built one. */
  tag: string;
  /** Folder holding base/ and overlays/, relative to the repository root. */
  gitopsPath: string;
  strategy: DeliveryStrategy;
  environments: GitOpsEnvironment[];
  port?: number;
  healthPath?: string;
  ingress?: { domain?: string; className?: string; tls?: boolean };
  /**
   * Adds `overlays/preview/`: the overlay of `fromEnvironment` plus a
   * Namespace object, so a pull request preview owns its namespace and Argo
   * CD deletes it with the preview when the pull request closes.
   */
  preview?: { fromEnvironment: string };
}

/** Name of the overlay folder used by pull request previews. @public */
export const PREVIEW_OVERLAY = 'preview';

/** Defaults per environment name (platform conventions). @public */
export const DEFAULT_ENVIRONMENT_SETTINGS: Record<string, GitOpsEnvironment> = {
  dev: {
    name: 'dev',
    replicas: 1,
    resources: {
      cpuRequest: '200m',
      cpuLimit: '200m',
      memoryRequest: '256Mi',
      memoryLimit: '256Mi',
    },
  },
  staging: {
    name: 'staging',
    replicas: 2,
    resources: {
      cpuRequest: '200m',
      cpuLimit: '500m',
      memoryRequest: '256Mi',
      memoryLimit: '512Mi',
    },
  },
  prod: {
    name: 'prod',
    replicas: 3,
    resources: {
      cpuRequest: '500m',
      cpuLimit: '1000m',
      memoryRequest: '512Mi',
      memoryLimit: '1Gi',
    },
  },
};

/**
 * Resolves the settings of each environment: platform defaults (an unknown
 * name starts from staging's), then each layer of overrides in order (app
 * config first, then the action input).
 *
 * @public
 */
export function resolveEnvironments(
  names: string[],
  ...layers: (GitOpsEnvironmentOverride[] | undefined)[]
): GitOpsEnvironment[] {
  const seen = new Set<string>();
  return names.map(name => {
    assertDnsLabel(name, 'environment');
    if (seen.has(name)) {
      throw new InputError(`Environment ${name} is listed twice`);
    }
    seen.add(name);
    const base =
      DEFAULT_ENVIRONMENT_SETTINGS[name] ??
      DEFAULT_ENVIRONMENT_SETTINGS.staging;
    let result: GitOpsEnvironment = {
      ...base,
      name,
      resources: { ...base.resources },
    };
    for (const layer of layers) {
      const override = layer?.find(o => o.name === name);
      if (!override) continue;
      result = {
        ...result,
        ...(override.replicas !== undefined && { replicas: override.replicas }),
        ...(override.maxReplicas !== undefined && {
          maxReplicas: override.maxReplicas,
        }),
        ...(override.namespace !== undefined && {
          namespace: override.namespace,
        }),
        ...(override.ingressHost !== undefined && {
          ingressHost: override.ingressHost,
        }),
        resources: { ...result.resources, ...definedOnly(override.resources) },
      };
    }
    return result;
  });
}

function definedOnly<T extends object>(
  value: Partial<T> | undefined,
): Partial<T> {
  const result: Partial<T> = {};
  for (const [key, entry] of Object.entries(value ?? {})) {
    if (entry !== undefined) (result as Record<string, unknown>)[key] = entry;
  }
  return result;
}

/** The namespace an environment's overlay deploys into. @public */
export function environmentNamespace(
  app: string,
  environment: Pick<GitOpsEnvironment, 'name' | 'namespace'>,
): string {
  return environment.namespace ?? `${app}-${environment.name}`;
}

function validateOptions(options: GitOpsAppOptions) {
  assertDnsLabel(options.app, 'app name');
  if (options.app.length > 40) {
    throw new InputError(
      'Invalid app name: at most 40 characters, so that <app>-<env> and <app>-preview stay valid names',
    );
  }
  assertImageRepository(options.image);
  assertOciTag(options.tag);
  if (!['rolling', 'canary', 'blue-green'].includes(options.strategy)) {
    throw new InputError(`Unknown delivery strategy ${options.strategy}`);
  }
  assertIntegerInRange(options.port ?? 8080, 1, 65535, 'port');
  assertHttpPath(options.healthPath ?? '/healthz', 'health path');
  if (options.ingress?.domain) {
    assertDnsSubdomain(options.ingress.domain, 'ingress domain');
  }
  if (options.ingress?.className) {
    assertDnsLabel(options.ingress.className, 'ingress class');
  }
  if (options.environments.length === 0) {
    throw new InputError('At least one environment is needed');
  }
  const names = new Set<string>();
  for (const env of options.environments) {
    assertDnsLabel(env.name, 'environment');
    if (names.has(env.name)) {
      throw new InputError(`Environment ${env.name} is listed twice`);
    }
    names.add(env.name);
    assertIntegerInRange(env.replicas, 1, 100, `replicas of ${env.name}`);
    assertIntegerInRange(
      env.maxReplicas ?? env.replicas * 3,
      env.replicas,
      300,
      `maxReplicas of ${env.name}`,
    );
    assertDnsLabel(environmentNamespace(options.app, env), 'namespace');
    if (env.ingressHost) assertDnsSubdomain(env.ingressHost, 'ingress host');
    for (const [key, value] of Object.entries(env.resources)) {
      assertQuantity(value, `${key} of ${env.name}`);
    }
  }
}

const KUSTOMIZATION = {
  apiVersion: 'kustomize.config.k8s.io/v1beta1',
  kind: 'Kustomization',
};

function workloadKind(strategy: DeliveryStrategy) {
  return strategy === 'rolling'
    ? {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        file: 'deployment.yaml',
      }
    : {
        group: 'argoproj.io',
        version: 'v1alpha1',
        kind: 'Rollout',
        file: 'rollout.yaml',
      };
}

function podTemplate(
  options: GitOpsAppOptions,
  labels: Record<string, string>,
) {
  const port = options.port ?? 8080;
  const healthPath = options.healthPath ?? '/healthz';
  const probe = { httpGet: { path: healthPath, port: 'http' } };
  return {
    metadata: { labels },
    spec: {
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: options.app,
          image: options.image,
          ports: [{ name: 'http', containerPort: port }],
          env: [{ name: 'PORT', value: String(port) }],
          readinessProbe: { ...probe, periodSeconds: 5 },
          livenessProbe: { ...probe, periodSeconds: 10, failureThreshold: 3 },
          resources: {
            requests: { cpu: '100m', memory: '128Mi' },
            limits: { cpu: '200m', memory: '256Mi' },
          },
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        },
      ],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    },
  };
}

function service(
  name: string,
  selector: Record<string, string>,
  labels: Record<string, string>,
) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels },
    spec: {
      selector,
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    },
  };
}

/** Name of the AnalysisTemplate of a canary app. @public */
export function analysisTemplateName(app: string): string {
  return `${app}-health`;
}

function baseFiles(options: GitOpsAppOptions): Record<string, unknown> {
  const { app, strategy } = options;
  const labels = { 'app.kubernetes.io/name': app };
  const selector = { matchLabels: labels };
  const workload = workloadKind(strategy);
  const metadata = { name: app, labels };
  const template = podTemplate(options, labels);
  const files: Record<string, unknown> = {};

  if (strategy === 'rolling') {
    files[workload.file] = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        replicas: 1,
        revisionHistoryLimit: 5,
        selector,
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 },
        },
        template,
      },
    };
  } else if (strategy === 'canary') {
    files[workload.file] = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata,
      spec: {
        replicas: 1,
        revisionHistoryLimit: 5,
        selector,
        template,
        strategy: {
          canary: {
            stableService: app,
            canaryService: `${app}-canary`,
            steps: [
              { setWeight: 5 },
              { pause: { duration: '2m' } },
              {
                analysis: {
                  templates: [{ templateName: analysisTemplateName(app) }],
                  args: [
                    { name: 'service-name', value: `${app}-canary` },
                    {
                      name: 'namespace',
                      valueFrom: {
                        fieldRef: { fieldPath: 'metadata.namespace' },
                      },
                    },
                  ],
                },
              },
              { setWeight: 25 },
              { pause: { duration: '5m' } },
              { setWeight: 100 },
            ],
          },
        },
      },
    };
    files['service-canary.yaml'] = service(`${app}-canary`, labels, labels);
    files['analysistemplate.yaml'] = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: analysisTemplateName(app), labels },
      spec: {
        args: [{ name: 'service-name' }, { name: 'namespace' }],
        metrics: [
          {
            name: 'health',
            interval: '30s',
            count: 4,
            failureLimit: 1,
            successCondition: 'result == "ok"',
            provider: {
              web: {
                url: `http://{{args.service-name}}.{{args.namespace}}.svc.cluster.local${
                  options.healthPath ?? '/healthz'
                }`,
                jsonPath: '{$.status}',
                timeoutSeconds: 5,
              },
            },
          },
        ],
      },
    };
  } else {
    files[workload.file] = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata,
      spec: {
        replicas: 1,
        revisionHistoryLimit: 5,
        selector,
        template,
        strategy: {
          blueGreen: {
            activeService: app,
            previewService: `${app}-preview`,
            autoPromotionEnabled: false,
            scaleDownDelaySeconds: 30,
          },
        },
      },
    };
    files['service-preview.yaml'] = service(`${app}-preview`, labels, labels);
  }
  files['service.yaml'] = service(app, labels, labels);
  files['hpa.yaml'] = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: {
      scaleTargetRef: {
        apiVersion:
          workload.group === 'apps'
            ? 'apps/v1'
            : `${workload.group}/${workload.version}`,
        kind: workload.kind,
        name: app,
      },
      minReplicas: 1,
      maxReplicas: 3,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: 75 },
          },
        },
      ],
    },
  };
  files['pdb.yaml'] = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata,
    spec: { maxUnavailable: 1, selector },
  };
  const resources = Object.keys(files);
  files['kustomization.yaml'] = {
    ...KUSTOMIZATION,
    labels: [{ pairs: { [APP_LABEL]: app }, includeSelectors: false }],
    resources,
  };
  return files;
}

function overlayFiles(
  options: GitOpsAppOptions,
  env: GitOpsEnvironment,
): Record<string, unknown> {
  const { app } = options;
  const workload = workloadKind(options.strategy);
  const host =
    env.ingressHost ??
    `${app}.${env.name}.${options.ingress?.domain ?? 'apps.example.com'}`;
  const tls = options.ingress?.tls ?? true;
  const files: Record<string, unknown> = {};
  files['patch-workload.yaml'] = [
    { op: 'replace', path: '/spec/replicas', value: env.replicas },
    {
      op: 'replace',
      path: '/spec/template/spec/containers/0/resources',
      value: {
        requests: {
          cpu: env.resources.cpuRequest,
          memory: env.resources.memoryRequest,
        },
        limits: {
          cpu: env.resources.cpuLimit,
          memory: env.resources.memoryLimit,
        },
      },
    },
  ];
  files['patch-hpa.yaml'] = [
    { op: 'replace', path: '/spec/minReplicas', value: env.replicas },
    {
      op: 'replace',
      path: '/spec/maxReplicas',
      value: env.maxReplicas ?? env.replicas * 3,
    },
  ];
  files['ingress.yaml'] = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: app, labels: { 'app.kubernetes.io/name': app } },
    spec: {
      ...(options.ingress?.className && {
        ingressClassName: options.ingress.className,
      }),
      ...(tls && { tls: [{ hosts: [host], secretName: `${app}-tls` }] }),
      rules: [
        {
          host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: app, port: { name: 'http' } } },
              },
            ],
          },
        },
      ],
    },
  };
  files['kustomization.yaml'] = {
    ...KUSTOMIZATION,
    namespace: environmentNamespace(app, env),
    labels: [
      {
        pairs: { [APP_LABEL]: app, [ENVIRONMENT_LABEL]: env.name },
        includeSelectors: false,
      },
    ],
    resources: ['../../base', 'ingress.yaml'],
    patches: [
      {
        path: 'patch-workload.yaml',
        target: {
          group: workload.group,
          version: workload.version,
          kind: workload.kind,
          name: app,
        },
      },
      {
        path: 'patch-hpa.yaml',
        target: {
          group: 'autoscaling',
          version: 'v2',
          kind: 'HorizontalPodAutoscaler',
          name: app,
        },
      },
    ],
    images: [
      { name: options.image, newName: options.image, newTag: options.tag },
    ],
  };
  return files;
}

/**
 * Builds the GitOps folder of an application: `<gitopsPath>/base/` (the
 * workload for the delivery strategy, Service, HPA, PodDisruptionBudget and,
 * for canaries, the AnalysisTemplate) and `<gitopsPath>/overlays/<env>/` per
 * environment (namespace, replica and resource patches, ingress, image).
 * Every file is an object serialised with `yaml`. Paths are relative to the
 * repository root.
 *
 * @public
 */
export function buildGitOpsApp(options: GitOpsAppOptions): ContainedFile[] {
  validateOptions(options);
  const files: ContainedFile[] = [];
  const base = basePath(options.gitopsPath);
  for (const [name, content] of Object.entries(baseFiles(options))) {
    files.push({ path: `${base}/${name}`, content: toYaml(content) });
  }
  for (const env of options.environments) {
    const overlay = overlayPath(options.gitopsPath, env.name);
    for (const [name, content] of Object.entries(overlayFiles(options, env))) {
      files.push({ path: `${overlay}/${name}`, content: toYaml(content) });
    }
  }
  if (options.preview) {
    const overlay = overlayPath(options.gitopsPath, PREVIEW_OVERLAY);
    for (const [name, content] of Object.entries(
      previewOverlayFiles(options, options.preview.fromEnvironment),
    )) {
      files.push({ path: `${overlay}/${name}`, content: toYaml(content) });
    }
  }
  return files;
}

/**
 * The preview overlay: the source environment's overlay re-namespaced, plus
 * the Namespace itself. Argo CD sets the real namespace (`<app>-pr-<n>`)
 * through `source.kustomize.namespace`, which renames the Namespace object
 * too, so the namespace is a resource of the preview Application.
 */
function previewOverlayFiles(
  options: GitOpsAppOptions,
  fromEnvironment: string,
): Record<string, unknown> {
  if (!options.environments.some(e => e.name === fromEnvironment)) {
    throw new InputError(
      `Previews copy environment "${fromEnvironment}", which is not configured`,
    );
  }
  const namespace = `${options.app}-${PREVIEW_OVERLAY}`;
  return {
    'namespace.yaml': {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespace,
        labels: {
          [APP_LABEL]: options.app,
          [ENVIRONMENT_LABEL]: PREVIEW_OVERLAY,
        },
      },
    },
    'kustomization.yaml': {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace,
      resources: [`../${fromEnvironment}`, 'namespace.yaml'],
    },
  };
}
