import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { ConfigReader } from '@backstage/config';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { parse as parseYaml } from 'yaml';

/**
 * A mock action context that records outputs and log lines and hands out
 * real temporary folders (the stock mock returns the workspace instead).
 */
export function testContext(options: {
  input: Record<string, unknown>;
  workspacePath: string;
  scratchRoot: string;
  taskId?: string;
  secrets?: Record<string, string>;
  isDryRun?: boolean;
}) {
  const logs: string[] = [];
  const outputs: Record<string, any> = {};
  const record = (...args: unknown[]) => {
    logs.push(JSON.stringify(args));
  };
  const logger: any = {
    info: record,
    warn: record,
    error: record,
    debug: record,
    child: () => logger,
  };
  const ctx: any = createMockActionContext({
    input: options.input as any,
    workspacePath: options.workspacePath,
    logger,
    secrets: options.secrets,
    task: { id: options.taskId ?? 'task-1' },
  });
  ctx.output = (name: string, value: unknown) => {
    outputs[name] = value;
  };
  ctx.createTemporaryDirectory = () =>
    fs.promises.mkdtemp(path.join(options.scratchRoot, 'scratch-'));
  ctx.isDryRun = options.isDryRun ?? false;
  return { ctx, logs, outputs };
}

/**
 * A fresh temporary workspace per test for a scaffolder action built by
 * `createAction({ config })`: `run(input, config?)` executes the handler and
 * resolves its outputs; `read(file)` parses a YAML file from the workspace.
 */
export function actionWorkspace(
  prefix: string,
  createAction: (options: { config?: ConfigReader }) => {
    handler: (ctx: any) => Promise<void>;
  },
) {
  let tmp = '';
  let workspace = '';
  beforeEach(async () => {
    tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), prefix));
    workspace = path.join(tmp, 'workspace');
    await fs.promises.mkdir(workspace);
  });
  afterEach(async () => {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  });
  return {
    get workspace() {
      return workspace;
    },
    run(input: Record<string, unknown>, config?: ConfigReader) {
      const context = testContext({
        input,
        workspacePath: workspace,
        scratchRoot: tmp,
      });
      return createAction({ config })
        .handler(context.ctx)
        .then(() => context.outputs);
    },
    read(file: string) {
      return parseYaml(fs.readFileSync(path.join(workspace, file), 'utf8'));
    },
  };
}
