/* eslint-disable jest/no-export */
import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { parse as parseYaml } from 'yaml';
import { createGitOpsAppCreateAction } from '../actions/gitopsAppCreate';
import { testContext } from './actionContext';

/**
 * Executes every documented example of an action in a fresh workspace.
 * `prepare` may lay out files the example works on; `dryRun` runs it as the
 * scaffolder's dry run does (for actions that need a remote).
 */
export function describeExamples(
  action: TemplateAction<any, any, any>,
  options: {
    prepare?: (workspace: string, input: any) => Promise<void>;
    dryRun?: boolean;
  } = {},
) {
  describe(`${action.id} examples`, () => {
    it.each((action.examples ?? []).map(e => [e.description, e] as const))(
      '%s',
      async (_description, example) => {
        const tmp = await fs.promises.mkdtemp(
          path.join(os.tmpdir(), 'slipway-example-'),
        );
        try {
          const workspace = path.join(tmp, 'workspace');
          await fs.promises.mkdir(workspace);
          const step = parseYaml(example.example).steps[0];
          expect(step.action).toBe(action.id);
          await options.prepare?.(workspace, step.input);
          const { ctx, outputs } = testContext({
            input: step.input,
            workspacePath: workspace,
            scratchRoot: tmp,
            isDryRun: options.dryRun,
          });
          await action.handler(ctx);
          expect(Object.keys(outputs).length).toBeGreaterThan(0);
        } finally {
          await fs.promises.rm(tmp, { recursive: true, force: true });
        }
      },
    );
  });
}

/** Lays out an application's GitOps folder under `targetPath`. */
export async function prepareGitOpsApp(workspace: string, targetPath = '.') {
  const { ctx } = testContext({
    input: {
      name: 'payments-api',
      image: 'harbor.example.com/acme/payments-api',
      targetPath,
    },
    workspacePath: workspace,
    scratchRoot: workspace,
  });
  await createGitOpsAppCreateAction().handler(ctx);
}
