import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Validates Flux objects (`Kustomization`, `GitRepository`, `HelmRelease`
 * and their lists, at the API versions Slipway reads:
 * kustomize.toolkit.fluxcd.io/v1, source.toolkit.fluxcd.io/v1,
 * helm.toolkit.fluxcd.io/v2) with `@kubernetes-models/flux-cd`, picking the
 * model by each object's `apiVersion` and `kind`. Returns one readable
 * problem per invalid object (empty when all validate); an object of any
 * other kind is a problem too. The models are ESM-only, so they run in a
 * child process (as `modelProblems` does for Argo CD).
 */
export function validateFluxObject(...objects: unknown[]): string[] {
  if (objects.length === 0) return [];
  const script = path.resolve(__dirname, '../scripts/validate-flux.mjs');
  const output = execFileSync(process.execPath, [script], {
    cwd: path.dirname(script),
    input: JSON.stringify(objects),
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(output.toString('utf8'));
}
