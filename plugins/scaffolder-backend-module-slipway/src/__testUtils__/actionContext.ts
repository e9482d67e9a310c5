import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import fs from 'fs';
import path from 'path';

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
