import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'fs';
import { parse as parseYaml } from 'yaml';
import { testContext } from './actionContext';
import { TemplateRun } from './templateRunner';

/**
 * Runs the steps `runTemplate` only recorded (actions it does not know),
 * with their rendered inputs, in template order, after the run. For actions
 * that write files no other step reads, that is what the scaffolder would
 * have produced.
 */
export async function runRecordedSteps(
  templateFile: string,
  run: TemplateRun,
  actions: TemplateAction<any, any, any>[],
  scratchRoot: string,
): Promise<Record<string, Record<string, any>>> {
  const byId = new Map(actions.map(action => [action.id, action]));
  const template = parseYaml(fs.readFileSync(templateFile, 'utf8'));
  const outputs: Record<string, Record<string, any>> = {};
  for (const step of template.spec.steps) {
    const action = byId.get(step.action);
    const recorded = run.steps[step.id];
    if (!action || !recorded || recorded.skipped) continue;
    const context = testContext({
      input: recorded.input,
      workspacePath: run.workspace,
      scratchRoot,
    });
    await action.handler(context.ctx);
    outputs[step.id] = context.outputs;
  }
  return outputs;
}
