import { Document } from 'yaml';
import { DEFAULT_BASE_PORT, DEFAULT_HOST, ENVIRONMENTS } from '../defaults';

/** The cluster the sandbox's Flux plays: `flux/clusters/sandbox/`. */
const FLUX_CLUSTER = 'sandbox';
/** The GitRepository of every team namespace (the contract's tenancy layout). */
const FLUX_SOURCE_NAME = 'gitops';
/** The service account each team's Kustomizations apply as. */
const FLUX_SERVICE_ACCOUNT = 'flux-reconciler';

export const KUSTOMIZE_API = 'kustomize.toolkit.fluxcd.io/v1';
export const SOURCE_API = 'source.toolkit.fluxcd.io/v1';
export const HELM_API = 'helm.toolkit.fluxcd.io/v2';

function toYaml(...documents: unknown[]): string {
  return documents
    .map(value => new Document(value).toString({ lineWidth: 0 }))
    .join('---\n');
}

function kustomizeFile(resources: string[]): string {
  return toYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources,
  });
}

/**
 * The GitOps repository URL written into the seeded GitRepository: the
 * portal's git endpoint. The controller serves the running sandbox's clone
 * URL instead, whatever the port (as the Argo CD stand-in does).
 */
export function seedGitopsUrl(owner: string, gitopsRepo: string): string {
  return `http://${DEFAULT_HOST}:${
    DEFAULT_BASE_PORT + 1
  }/git/${owner}/${gitopsRepo}.git`;
}

/**
 * The Flux layout of the GitOps repository for services deployed by Flux,
 * as the contract describes it: `flux/clusters/<cluster>/kustomization.yaml`
 * (the entry point Flux bootstraps), `flux/sources/<team>/` (namespace,
 * GitRepository `gitops`, ServiceAccount `flux-reconciler`, RoleBinding) and
 * `flux/releases/<app>/<env>.yaml` (one Kustomization per environment).
 * Every file renders with `kubectl kustomize` from the cluster folder.
 */
export function fluxLayoutFiles(options: {
  services: Array<{ name: string; project: string; workload: string }>;
  gitopsUrl: string;
}): Record<string, string> {
  const { services, gitopsUrl } = options;
  const files: Record<string, string> = {};
  const teams = [...new Set(services.map(s => s.project))].sort();
  for (const team of teams) {
    const folder = `flux/sources/${team}`;
    files[`${folder}/namespace.yaml`] = toYaml({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: team },
    });
    files[`${folder}/serviceaccount.yaml`] = toYaml({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: FLUX_SERVICE_ACCOUNT, namespace: team },
    });
    files[`${folder}/gitrepository.yaml`] = toYaml({
      apiVersion: SOURCE_API,
      kind: 'GitRepository',
      metadata: {
        name: FLUX_SOURCE_NAME,
        namespace: team,
        labels: { 'slipway.dev/team': team },
      },
      spec: { interval: '1m', url: gitopsUrl, ref: { branch: 'main' } },
    });
    files[`${folder}/kustomization.yaml`] = kustomizeFile([
      'namespace.yaml',
      'serviceaccount.yaml',
      'gitrepository.yaml',
    ]);
  }
  for (const service of services) {
    const folder = `flux/releases/${service.name}`;
    const namespaces = ENVIRONMENTS.map(env => `${service.name}-${env}`);
    // The team's reconciler may manage its app namespaces, nothing else
    // (no cluster-admin).
    files[`${folder}/namespaces.yaml`] = toYaml(
      ...namespaces.flatMap(namespace => [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: FLUX_SERVICE_ACCOUNT, namespace },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: 'admin',
          },
          subjects: [
            {
              kind: 'ServiceAccount',
              name: FLUX_SERVICE_ACCOUNT,
              namespace: service.project,
            },
          ],
        },
      ]),
    );
    for (const env of ENVIRONMENTS) {
      const targetNamespace = `${service.name}-${env}`;
      files[`${folder}/${env}.yaml`] = toYaml({
        apiVersion: KUSTOMIZE_API,
        kind: 'Kustomization',
        metadata: {
          name: `${service.name}-${env}`,
          namespace: service.project,
          labels: {
            'slipway.dev/app': service.name,
            'slipway.dev/environment': env,
          },
        },
        spec: {
          // dev follows every commit; staging and prod change only when a
          // promotion lands and the engine requests reconciliation.
          interval: env === 'dev' ? '1m' : '24h',
          path: `./apps/${service.name}/overlays/${env}`,
          prune: true,
          sourceRef: { kind: 'GitRepository', name: FLUX_SOURCE_NAME },
          targetNamespace,
          serviceAccountName: FLUX_SERVICE_ACCOUNT,
          timeout: '3m',
          healthChecks: [
            {
              apiVersion:
                service.workload === 'Rollout'
                  ? 'argoproj.io/v1alpha1'
                  : 'apps/v1',
              kind: service.workload,
              name: service.name,
              namespace: targetNamespace,
            },
          ],
        },
      });
    }
    files[`${folder}/kustomization.yaml`] = kustomizeFile([
      'namespaces.yaml',
      ...ENVIRONMENTS.map(env => `${env}.yaml`),
    ]);
  }
  files[`flux/clusters/${FLUX_CLUSTER}/kustomization.yaml`] = kustomizeFile([
    ...teams.map(team => `../../sources/${team}`),
    ...services.map(service => `../../releases/${service.name}`),
  ]);
  return files;
}
