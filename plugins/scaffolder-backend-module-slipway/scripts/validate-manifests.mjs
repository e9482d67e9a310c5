// Validates Kubernetes, Argo CD, Argo Rollouts and Flux objects against their
// published schemas (kubernetes-models, @kubernetes-models/argo-cd,
// @kubernetes-models/argo-rollouts, @kubernetes-models/flux-cd, @kubernetes-models/sealed-secrets,
// @kubernetes-models/external-secrets). Those packages are ESM-only, so the
// module's Jest tests run this script in a child process.
//
// Usage: node validate-manifests.mjs <file.json>
//   file.json: [{ "source": "where it came from", "object": {...} }, ...]
// Prints a JSON array of problems; exits 0 either way.
import { readFile } from 'node:fs/promises';

const ARGO_CD_KINDS = new Set(['Application', 'AppProject', 'ApplicationSet']);
const cache = new Map();

async function load(specifier) {
  if (!cache.has(specifier)) {
    cache.set(
      specifier,
      import(specifier).catch(() => undefined),
    );
  }
  return cache.get(specifier);
}

async function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string')
    return undefined;
  let specifier;
  if (apiVersion === 'argoproj.io/v1alpha1') {
    specifier = ARGO_CD_KINDS.has(kind)
      ? '@kubernetes-models/argo-cd/argoproj.io/v1alpha1'
      : '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1';
  } else if (/^[a-z]+\.toolkit\.fluxcd\.io\//.test(apiVersion)) {
    specifier = `@kubernetes-models/flux-cd/${apiVersion}`;
  } else if (/^bitnami\.com\//.test(apiVersion)) {
    specifier = `@kubernetes-models/sealed-secrets/${apiVersion}`;
  } else if (/^external-secrets\.io\//.test(apiVersion)) {
    specifier = `@kubernetes-models/external-secrets/${apiVersion}`;
  } else if (!apiVersion.includes('/')) {
    specifier = `kubernetes-models/${apiVersion}`;
  } else {
    specifier = `kubernetes-models/${apiVersion}`;
  }
  const module = await load(specifier);
  return module?.[kind];
}

const entries = JSON.parse(await readFile(process.argv[2], 'utf8'));
const problems = [];
for (const { source, object } of entries) {
  const Model = await modelFor(object?.apiVersion, object?.kind);
  const label = `${source}: ${object?.apiVersion} ${object?.kind} ${object?.metadata?.name}`;
  if (!Model) {
    problems.push(`${label}: no schema for this kind`);
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(`${label}: ${String(error?.message ?? error).slice(0, 500)}`);
  }
}
process.stdout.write(JSON.stringify(problems));
