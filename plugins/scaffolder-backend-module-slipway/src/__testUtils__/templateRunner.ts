import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createFetchTemplateAction } from '@backstage/plugin-scaffolder-backend';
import {
  parseRepoUrl,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { mockServices } from '@backstage/backend-test-utils';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { pathToFileURL } from 'url';
import { parse as parseYaml } from 'yaml';
import { createArgoCdAppCreateAction } from '../actions/argocdAppCreate';
import { createFluxAppCreateAction } from '../actions/fluxAppCreate';
import { createGitOpsAppCreateAction } from '../actions/gitopsAppCreate';

// nunjitsu is what the scaffolder renders templates with (a dependency of
// @backstage/plugin-scaffolder-backend).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createTemplateRenderer } = require('nunjitsu');

const TEST_CONFIG = {
  integrations: {
    github: [
      { host: '127.0.0.1:7101', apiBaseUrl: 'http://127.0.0.1:7101/api/v3' },
    ],
  },
};

export interface TemplateRun {
  workspace: string;
  steps: Record<
    string,
    { skipped: boolean; input?: any; output: Record<string, any> }
  >;
}

/**
 * Runs a template the way the scaffolder does, as far as a test can without a
 * database: step inputs and `if` conditions are rendered with nunjitsu and
 * the scaffolder's `parseRepoUrl` filter, `fetch:template` is the real action
 * from @backstage/plugin-scaffolder-backend, Slipway's workspace actions run
 * for real. Publishing, catalog registration and the GitOps commit are not
 * run (they need the sandbox); their rendered inputs are recorded and
 * publish steps return plausible outputs.
 */
export async function runTemplate(options: {
  templateFile: string;
  parameters: Record<string, unknown>;
  workspace: string;
}): Promise<TemplateRun> {
  const integrations = ScmIntegrations.fromConfig(
    new ConfigReader(TEST_CONFIG),
  );
  const renderer = createTemplateRenderer({
    allowRegexExecution: true,
    filters: {
      parseRepoUrl: (url: unknown) => parseRepoUrl(String(url), integrations),
    },
  });
  const template = parseYaml(fs.readFileSync(options.templateFile, 'utf8'));
  const actions: Record<string, TemplateAction<any, any, any>> = {
    'fetch:template': createFetchTemplateAction({
      reader: mockServices.urlReader.mock(),
      integrations,
    }),
    'slipway:gitops:app:create': createGitOpsAppCreateAction(),
    'slipway:argocd:app:create': createArgoCdAppCreateAction(),
    'slipway:flux:app:create': createFluxAppCreateAction(),
  };
  const steps: TemplateRun['steps'] = {};
  const scratch: string[] = [];
  const render = (value: unknown, context: object): unknown => {
    if (typeof value === 'string') {
      const prepared = renderer.prepareContext(context);
      return value.includes('${{')
        ? renderer.renderValue(value, prepared)
        : value;
    }
    if (Array.isArray(value)) return value.map(v => render(v, context));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, render(v, context)]),
      );
    }
    return value;
  };
  const repo = parseRepoUrl(String(options.parameters.repoUrl), integrations);
  for (const step of template.spec.steps) {
    const context = { parameters: options.parameters, steps };
    if (step.if !== undefined && !render(step.if, context)) {
      steps[step.id] = { skipped: true, output: {} };
      continue;
    }
    const input = render(step.input ?? {}, context) as any;
    const outputs: Record<string, any> = {};
    const action = actions[step.action];
    if (action) {
      const ctx = createMockActionContext({
        input,
        workspacePath: options.workspace,
        templateInfo: {
          baseUrl: pathToFileURL(options.templateFile).href,
          entityRef: `template:default/${template.metadata.name}`,
        },
      });
      ctx.output = (name: string, value: unknown) => {
        outputs[name] = value;
      };
      ctx.createTemporaryDirectory = async () => {
        const dir = await fs.promises.mkdtemp(
          path.join(os.tmpdir(), 'slipway-step-'),
        );
        scratch.push(dir);
        return dir;
      };
      await action.handler(ctx);
    } else if (step.action.startsWith('publish:')) {
      outputs.remoteUrl = `http://${repo.host}/git/${repo.owner}/${repo.repo}.git`;
      outputs.repoContentsUrl = `http://${repo.host}/${repo.owner}/${repo.repo}/blob/main`;
      outputs.commitHash = '0123456789abcdef0123456789abcdef01234567';
    }
    steps[step.id] = { skipped: false, input, output: outputs };
  }
  for (const dir of scratch) {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
  return { workspace: options.workspace, steps };
}

/** Where a template's file lives. */
export function templateFile(templatesDir: string, name: string): string {
  return path.join(templatesDir, name, 'template.yaml');
}
