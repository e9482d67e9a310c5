// Validates Argo CD Applications and Argo Rollouts with the vendors'
// published models (@kubernetes-models/argo-cd, @kubernetes-models/argo-rollouts).
// Those packages are ESM-only, so the sandbox's Jest tests run this script in
// a child process instead of mapping ESM into Jest (see modelProblems).
//
// Input on stdin: [{ "model": "Application" | "Rollout", "object": {...} }, ...]
// Output: a JSON array of problems (empty when everything validates).
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1';

const MODELS = { Application, Rollout };

let input = '';
for await (const chunk of process.stdin) input += chunk;
const problems = [];
for (const [index, { model, object }] of JSON.parse(input).entries()) {
  const Model = MODELS[model];
  if (!Model) {
    problems.push(`#${index}: unknown model ${model}`);
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(
      `#${index} ${model} ${object?.metadata?.name}: ${String(
        error?.message ?? error,
      ).slice(0, 500)}`,
    );
  }
}
process.stdout.write(JSON.stringify(problems));
