import { ConfigReader, JsonObject, JsonValue } from '@backstage/config';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';

// deploy/: every overlay rendered by `kubectl kustomize`, every object
// validated against the Kubernetes models, and the production properties
// asserted on the rendered output (what a cluster would receive).

// Spawns kubectl and node; slow on a loaded 2-core machine.
jest.setTimeout(120_000);

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../../..');
const DEPLOY = path.join(ROOT, 'deploy');
const READINESS = '/.backstage/health/v1/readiness';
const LIVENESS = '/.backstage/health/v1/liveness';
const CREDENTIALS = 'slipway-portal-credentials';
// The scaffolder module's validator (kubernetes-models is ESM-only, so it runs
// in a child process, from the package that depends on the models).
const VALIDATOR = path.join(
  ROOT,
  'plugins/scaffolder-backend-module-slipway/scripts/validate-manifests.mjs',
);

type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
  };
  [key: string]: any;
};

function kubectl(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'kubectl');
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('kubectl is not on PATH; it renders the overlays');
}

async function render(dir: string): Promise<K8sObject[]> {
  const { stdout } = await run(kubectl(), ['kustomize', dir], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return parseAllDocuments(stdout)
    .map(document => document.toJS())
    .filter(Boolean);
}

async function validate(objects: K8sObject[], source: string) {
  const dir = await fs.promises.mkdtemp(
    path.join(os.tmpdir(), 'slipway-deploy-'),
  );
  try {
    const file = path.join(dir, 'objects.json');
    await fs.promises.writeFile(
      file,
      JSON.stringify(objects.map(object => ({ source, object }))),
    );
    const { stdout } = await run(process.execPath, [VALIDATOR, file], {
      cwd: path.dirname(VALIDATOR),
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout) as string[];
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

function only(objects: K8sObject[], kind: string): K8sObject {
  const found = objects.filter(object => object.kind === kind);
  expect(found.map(object => `${kind}/${object.metadata.name}`)).toHaveLength(
    1,
  );
  return found[0];
}

function readYaml(file: string): JsonObject {
  return parse(fs.readFileSync(file, 'utf8'));
}

/** Every `${VAR}` a configuration refers to. */
function referencedVariables(
  value: JsonValue | undefined,
  found = new Set<string>(),
) {
  if (typeof value === 'string') {
    for (const match of value.matchAll(
      /(?<!\$)\$\{([A-Z0-9_]+)(?::-[^}]*)?\}/g,
    )) {
      found.add(match[1]);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) referencedVariables(item, found);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) referencedVariables(item, found);
  }
  return found;
}

const overlays = fs
  .readdirSync(path.join(DEPLOY, 'overlays'))
  .map(name => path.join('overlays', name));

describe.each(['base', ...overlays])('deploy/%s', dir => {
  let objects: K8sObject[];

  beforeAll(async () => {
    objects = await render(path.join(DEPLOY, dir));
  });

  const deployment = () => only(objects, 'Deployment');
  const container = () => {
    const containers = deployment().spec.template.spec.containers;
    expect(containers).toHaveLength(1);
    return containers[0];
  };

  it('renders objects that validate against the Kubernetes models', async () => {
    expect(objects.length).toBeGreaterThan(0);
    // The External Secrets Operator's CRD has no model package here; its
    // shape is checked in the production overlay test below.
    const core = objects.filter(object => object.kind !== 'ExternalSecret');
    expect(await validate(core, `deploy/${dir}`)).toEqual([]);
  });

  it('runs two or more replicas, scaled 2–5 on CPU, with a disruption budget', () => {
    expect(deployment().apiVersion).toBe('apps/v1');
    expect(deployment().spec.replicas).toBeGreaterThanOrEqual(2);
    const podLabels = deployment().spec.template.metadata.labels;
    expect(deployment().spec.selector.matchLabels).toEqual(
      expect.objectContaining({ 'app.kubernetes.io/name': 'slipway-portal' }),
    );

    const hpa = only(objects, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment().metadata.name,
    });
    expect(hpa.spec.minReplicas).toBe(2);
    expect(hpa.spec.maxReplicas).toBe(5);
    expect(hpa.spec.metrics).toContainEqual({
      type: 'Resource',
      resource: {
        name: 'cpu',
        target: { type: 'Utilization', averageUtilization: expect.any(Number) },
      },
    });

    const pdb = only(objects, 'PodDisruptionBudget');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec.minAvailable).toBe(1);
    for (const [key, value] of Object.entries<string>(
      pdb.spec.selector.matchLabels,
    )) {
      expect(podLabels[key]).toBe(value);
    }
  });

  it('probes readiness and liveness on the Backstage health paths of the served port', () => {
    const port = container().ports.find((p: any) => p.name === 'http');
    expect(port.containerPort).toBe(7007);
    expect(container().readinessProbe.httpGet).toEqual({
      path: READINESS,
      port: 'http',
    });
    expect(container().livenessProbe.httpGet).toEqual({
      path: LIVENESS,
      port: 'http',
    });
    expect(container().startupProbe.httpGet.path).toBe(LIVENESS);

    const service = only(objects, 'Service');
    const podLabels = deployment().spec.template.metadata.labels;
    for (const [key, value] of Object.entries<string>(service.spec.selector)) {
      expect(podLabels[key]).toBe(value);
    }
    expect(service.spec.ports).toContainEqual(
      expect.objectContaining({ targetPort: 'http' }),
    );
  });

  it('sets resource requests and limits', () => {
    const { requests, limits } = container().resources;
    for (const resources of [requests, limits]) {
      expect(resources).toEqual({
        cpu: expect.anything(),
        memory: expect.anything(),
      });
    }
  });

  it('runs non-root on a read-only root filesystem with /tmp from an emptyDir', () => {
    const pod = deployment().spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).not.toBe(0);
    expect(container().securityContext).toEqual(
      expect.objectContaining({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      }),
    );
    const tmp = container().volumeMounts.find(
      (m: any) => m.mountPath === '/tmp',
    );
    expect(
      pod.volumes.find((v: any) => v.name === tmp.name).emptyDir,
    ).toBeDefined();

    const account = only(objects, 'ServiceAccount');
    expect(pod.serviceAccountName).toBe(account.metadata.name);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container().env).toContainEqual({
      name: 'NODE_ENV',
      value: 'production',
    });
  });

  it('reads its app-config layer from a rendered ConfigMap, after the image’s two', () => {
    const pod = deployment().spec.template.spec;
    const args: string[] = container().args;
    const configs = args.flatMap((arg, index) =>
      args[index - 1] === '--config' ? [arg] : [],
    );
    expect(configs.slice(0, 2)).toEqual([
      'app-config.yaml',
      'app-config.production.yaml',
    ]);
    expect(configs).toHaveLength(3);
    const mounted = configs[2];
    const mount = container().volumeMounts.find((m: any) =>
      mounted.startsWith(`${m.mountPath}/`),
    );
    expect(mount.readOnly).toBe(true);
    const volume = pod.volumes.find((v: any) => v.name === mount.name);
    const configMap = objects.find(
      object =>
        object.kind === 'ConfigMap' &&
        object.metadata.name === volume.configMap.name,
    );
    expect(configMap?.data[path.basename(mounted)]).toEqual(expect.any(String));
  });

  it('gets credentials only by reference: no Secret values and no secret-looking literals', () => {
    expect(objects.filter(object => object.kind === 'Secret')).toEqual([]);
    const secretLike = /PASSWORD|TOKEN|SECRET|PRIVATE_KEY/;
    const env = container().env as any[];
    const references = env
      .map(variable => variable.valueFrom?.secretKeyRef?.name)
      .filter(Boolean);
    expect(references.length).toBeGreaterThan(0);
    expect(new Set(references)).toEqual(new Set([CREDENTIALS]));
    // Secret-looking variables come from the Secret, and composed values
    // (REDIS_URL) carry $(references), never a password.
    const literals = env.filter(variable => !variable.valueFrom);
    expect(literals.filter(variable => secretLike.test(variable.name))).toEqual(
      [],
    );
    expect(
      literals.filter(variable =>
        /:\/\/[^$/]*:[^$@/]+@/.test(String(variable.value)),
      ),
    ).toEqual([]);
    const configMapKeys = objects
      .filter(o => o.kind === 'ConfigMap')
      .flatMap(configMap => Object.keys(configMap.data ?? {}));
    expect(configMapKeys.filter(key => secretLike.test(key))).toEqual([]);
  });

  it('provides every environment variable the merged configuration refers to', () => {
    // The configuration as the container loads it.
    const mountedLayer = parse(
      fs.readFileSync(
        path.join(DEPLOY, 'base/app-config.kubernetes.yaml'),
        'utf8',
      ),
    );
    const merged = ConfigReader.fromConfigs([
      { data: readYaml(path.join(ROOT, 'app-config.yaml')), context: 'dev' },
      {
        data: readYaml(path.join(ROOT, 'app-config.production.yaml')),
        context: 'production',
      },
      { data: mountedLayer, context: 'kubernetes' },
    ]).get();
    const provided = new Set<string>();
    for (const variable of container().env as any[])
      provided.add(variable.name);
    for (const source of container().envFrom as any[]) {
      const configMap = objects.find(
        o =>
          o.kind === 'ConfigMap' &&
          o.metadata.name === source.configMapRef?.name,
      );
      expect(configMap).toBeDefined();
      for (const key of Object.keys(configMap!.data)) provided.add(key);
    }
    const missing = [...referencedVariables(merged)].filter(
      name => !provided.has(name),
    );
    expect(missing).toEqual([]);
  });
});

describe('deploy/overlays/production', () => {
  let objects: K8sObject[];

  beforeAll(async () => {
    objects = await render(path.join(DEPLOY, 'overlays/production'));
  });

  it('pins the released image by tag (the git SHA) and digest', () => {
    const deployment = only(objects, 'Deployment');
    const image: string = deployment.spec.template.spec.containers[0].image;
    expect(image).toMatch(
      /^[a-z0-9.-]+\/[a-z0-9/._-]+:[0-9a-f]{40}@sha256:[0-9a-f]{64}$/,
    );
  });

  it('fills the credentials Secret through an ExternalSecret from a ClusterSecretStore', () => {
    const externalSecret = only(objects, 'ExternalSecret');
    expect(externalSecret.apiVersion).toBe('external-secrets.io/v1');
    expect(externalSecret.spec.secretStoreRef).toEqual({
      kind: 'ClusterSecretStore',
      name: expect.any(String),
    });
    expect(externalSecret.spec.target.name).toBe(CREDENTIALS);
    const deployment = only(objects, 'Deployment');
    const required = (deployment.spec.template.spec.containers[0].env as any[])
      .map(variable => variable.valueFrom?.secretKeyRef)
      .filter(Boolean)
      .map(ref => ref.key);
    const provided = (externalSecret.spec.data as any[]).map(
      entry => entry.secretKey,
    );
    expect(required.length).toBeGreaterThan(0);
    expect(provided).toEqual(expect.arrayContaining(required));
    // Only references into the secret manager, never values.
    for (const entry of externalSecret.spec.data as any[]) {
      expect(Object.keys(entry).sort()).toEqual(['remoteRef', 'secretKey']);
      expect(Object.keys(entry.remoteRef).sort()).toEqual(['key', 'property']);
    }
    expect(externalSecret.spec.target.template).toBeUndefined();
  });

  it('puts everything in one namespace that enforces the restricted pod security standard', () => {
    const namespace = only(objects, 'Namespace');
    expect(
      namespace.metadata.labels?.['pod-security.kubernetes.io/enforce'],
    ).toBe('restricted');
    for (const object of objects.filter(o => o.kind !== 'Namespace')) {
      expect(object.metadata.namespace).toBe(namespace.metadata.name);
    }
  });
});
