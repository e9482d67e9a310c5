// Validates Flux objects with the vendor's published models
// (@kubernetes-models/flux-cd), chosen by each object's apiVersion and kind.
// The package is ESM-only, so Jest tests run this script in a child process
// (see validateFluxObject).
//
// Input on stdin: a JSON array of objects.
// Output: a JSON array of problems (empty when everything validates).
import {
  HelmRelease,
  HelmReleaseList,
} from '@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2';
import {
  Kustomization,
  KustomizationList,
} from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1';
import {
  GitRepository,
  GitRepositoryList,
} from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1';

const MODELS = new Map(
  [
    Kustomization,
    KustomizationList,
    GitRepository,
    GitRepositoryList,
    HelmRelease,
    HelmReleaseList,
  ].map(Model => [`${Model.apiVersion}/${Model.kind}`, Model]),
);

let input = '';
for await (const chunk of process.stdin) input += chunk;
const problems = [];
for (const [index, object] of JSON.parse(input).entries()) {
  const key = `${object?.apiVersion}/${object?.kind}`;
  const Model = MODELS.get(key);
  if (!Model) {
    problems.push(
      `#${index}: no Flux model for ${key} (known: ${[...MODELS.keys()].join(
        ', ',
      )})`,
    );
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(
      `#${index} ${object.kind} ${object?.metadata?.namespace ?? ''}/${
        object?.metadata?.name ?? ''
      }: ${String(error?.message ?? error).slice(0, 1000)}`,
    );
  }
}
process.stdout.write(JSON.stringify(problems));
