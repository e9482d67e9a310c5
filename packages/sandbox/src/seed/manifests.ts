import YAML, { Document, isMap, isSeq, YAMLMap } from 'yaml';
import { SeedService } from './world';

/** One `images:` entry of a kustomization. */
export interface KustomizeImage {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

function toYaml(value: unknown): string {
  return new Document(value).toString({ lineWidth: 0 });
}

export function imageRepository(
  registryHost: string,
  owner: string,
  service: string,
): string {
  return `${registryHost}/${owner}/${service}`;
}

function labels(service: string) {
  return {
    'app.kubernetes.io/name': service,
    'app.kubernetes.io/part-of': 'acme-shop',
  };
}

function podTemplate(service: string, image: string) {
  return {
    metadata: { labels: labels(service) },
    spec: {
      containers: [
        {
          name: service,
          image,
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
          resources: {
            requests: { cpu: '50m', memory: '64Mi' },
            limits: { memory: '128Mi' },
          },
        },
      ],
    },
  };
}

/** The canary steps of the seeded Rollout: 5% → 25% → 100% with pauses. */
export const CANARY_STEPS: Array<{
  setWeight?: number;
  pause?: { duration: string };
}> = [
  { setWeight: 5 },
  { pause: { duration: '1m' } },
  { setWeight: 25 },
  { pause: { duration: '5m' } },
  { setWeight: 100 },
];

function workloadManifest(
  service: SeedService | { name: string; workload: 'Deployment' | 'Rollout' },
  image: string,
) {
  const metadata = { name: service.name, labels: labels(service.name) };
  const selector = { matchLabels: { 'app.kubernetes.io/name': service.name } };
  if (service.workload === 'Rollout') {
    return {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata,
      spec: {
        replicas: 4,
        revisionHistoryLimit: 3,
        selector,
        template: podTemplate(service.name, image),
        strategy: { canary: { steps: CANARY_STEPS } },
      },
    };
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: 2,
      revisionHistoryLimit: 3,
      selector,
      template: podTemplate(service.name, image),
    },
  };
}

function serviceManifest(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: labels(name) },
    spec: {
      selector: { 'app.kubernetes.io/name': name },
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    },
  };
}

/** Files of `apps/<service>/base/`. */
export function baseFiles(
  service: { name: string; workload: 'Deployment' | 'Rollout' },
  image: string,
): Record<string, string> {
  const workloadFile =
    service.workload === 'Rollout' ? 'rollout.yaml' : 'deployment.yaml';
  return {
    [workloadFile]: toYaml(workloadManifest(service, image)),
    'service.yaml': toYaml(serviceManifest(service.name)),
    'kustomization.yaml': toYaml({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: [workloadFile, 'service.yaml'],
    }),
  };
}

/** `apps/<service>/overlays/<env>/kustomization.yaml`. */
export function overlayKustomization(
  namespace: string,
  image: KustomizeImage,
): string {
  return toYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace,
    resources: ['../../base'],
    images: [image],
  });
}

/**
 * Sets the `images:` entry named `name` in a kustomization, editing the
 * parsed tree so comments and layout survive. `digest` undefined removes it.
 */
export function setKustomizeImage(
  source: string,
  name: string,
  change: { newTag: string; digest: string | undefined },
): string {
  const document = YAML.parseDocument(source);
  let images = document.get('images');
  if (!isSeq(images)) {
    document.set('images', document.createNode([]));
    images = document.get('images');
  }
  if (!isSeq(images)) {
    throw new Error('images is not a sequence');
  }
  let entry = images.items.find(
    item => isMap(item) && item.get('name') === name,
  ) as YAMLMap | undefined;
  if (!entry) {
    entry = document.createNode({ name }) as YAMLMap;
    images.items.push(entry);
  }
  entry.set('newTag', change.newTag);
  if (change.digest) {
    entry.set('digest', change.digest);
  } else {
    entry.delete('digest');
  }
  return document.toString({ lineWidth: 0 });
}

/** The `images:` entries of a kustomization; malformed input gives an empty list. */
export function readKustomizeImages(source: string): KustomizeImage[] {
  let parsed: unknown;
  try {
    parsed = YAML.parse(source);
  } catch {
    return [];
  }
  const images = (parsed as { images?: unknown } | undefined)?.images;
  if (!Array.isArray(images)) {
    return [];
  }
  const result: KustomizeImage[] = [];
  for (const item of images) {
    if (
      item &&
      typeof item === 'object' &&
      typeof (item as KustomizeImage).name === 'string'
    ) {
      const image = item as Record<string, unknown>;
      result.push({
        name: String(image.name),
        newName: typeof image.newName === 'string' ? image.newName : undefined,
        newTag: image.newTag === undefined ? undefined : String(image.newTag),
        digest: typeof image.digest === 'string' ? image.digest : undefined,
      });
    }
  }
  return result;
}

/** The image reference kustomize renders for an entry: `name[:tag][@digest]`. */
export function renderImage(image: KustomizeImage): string {
  let reference = image.newName ?? image.name;
  if (image.newTag) reference += `:${image.newTag}`;
  if (image.digest) reference += `@${image.digest}`;
  return reference;
}

/** The files of a service repository's skeleton at a given feature. */
export function serviceRepoFiles(
  service: { name: string; description: string },
  features: string[],
  version: string,
): Record<string, string> {
  const packageJson = {
    name: service.name,
    version,
    private: true,
    description: service.description,
    main: 'src/index.js',
    scripts: { start: 'node src/index.js', test: 'node --test' },
  };
  const workflow = {
    name: 'CI',
    on: { push: { branches: ['main'] }, pull_request: {} },
    jobs: {
      build: {
        'runs-on': 'ubuntu-latest',
        steps: [
          { uses: 'actions/checkout@v4' },
          { run: 'npm ci && npm test' },
          {
            name: 'Build, scan, sign and push image',
            run: 'echo built by the Slipway sandbox',
          },
        ],
      },
    },
  };
  const index = [
    "const http = require('node:http');",
    '',
    `// Features: ${features.join(', ')}`,
    `const features = ${JSON.stringify(features)};`,
    '',
    'http',
    '  .createServer((req, res) => {',
    "    res.setHeader('content-type', 'application/json');",
    `    res.end(JSON.stringify({ service: ${JSON.stringify(
      service.name,
    )}, features }));`,
    '  })',
    '  .listen(8080);',
    '',
  ].join('\n');
  const dockerfile = [
    'FROM node:22-alpine AS build',
    'WORKDIR /app',
    'COPY package.json ./',
    'RUN npm install --omit=dev',
    'COPY src ./src',
    '',
    'FROM node:22-alpine',
    'WORKDIR /app',
    'COPY --from=build /app ./',
    'USER node',
    'EXPOSE 8080',
    'CMD ["node", "src/index.js"]',
    '',
  ].join('\n');
  return {
    'package.json': `${JSON.stringify(packageJson, undefined, 2)}\n`,
    'src/index.js': index,
    Dockerfile: dockerfile,
    '.github/workflows/ci.yaml': toYaml(workflow),
    'README.md': `# ${service.name}\n\n${service.description}. Part of the Slipway sandbox world.\n`,
  };
}
