import { DockerfileParser, Flag, Instruction } from 'dockerfile-ast';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

// packages/backend/Dockerfile, checked with dockerfile-ast as the templates'
// Dockerfiles are (plugins/scaffolder-backend-module-slipway). There is no
// Docker daemon on CI machines, so the image itself is not built here: these
// checks are what a build would get wrong first.

const ROOT = path.resolve(__dirname, '../../../..');
const LIVENESS = '/.backstage/health/v1/liveness';
const READINESS = '/.backstage/health/v1/readiness';

const content = fs.readFileSync(
  path.join(ROOT, 'packages/backend/Dockerfile'),
  'utf8',
);
const dockerfile = DockerfileParser.parse(content);

interface Stage {
  name: string | undefined;
  image: string | undefined;
  tag: string | undefined;
  instructions: Instruction[];
}

/** The stages in order, each with the instructions after its FROM. */
function stages(): Stage[] {
  const froms = dockerfile.getFROMs();
  const all = dockerfile.getInstructions();
  return froms.map((from, index) => {
    const start = from.getRange().start.line;
    const end =
      index + 1 < froms.length
        ? froms[index + 1].getRange().start.line
        : Number.MAX_SAFE_INTEGER;
    return {
      name: from.getBuildStage() ?? undefined,
      image: from.getImageName() ?? undefined,
      tag: from.getImageTag() ?? undefined,
      instructions: all.filter(instruction => {
        const line = instruction.getRange().start.line;
        return line > start && line < end;
      }),
    };
  });
}

function keyword(stage: Stage, name: string): Instruction[] {
  return stage.instructions.filter(i => i.getKeyword() === name);
}

function flags(instruction: Instruction): Map<string, string | undefined> {
  const withFlags = instruction as Partial<{ getFlags(): Flag[] }>;
  return new Map(
    (withFlags.getFlags?.() ?? []).map(flag => [
      flag.getName(),
      flag.getValue() ?? undefined,
    ]),
  );
}

/** The command of a RUN (flags such as --mount left out), on one line. */
function command(instruction: Instruction): string {
  return instruction
    .getArguments()
    .map(argument => argument.getValue())
    .join(' ');
}

function stageNamed(name: string): Stage {
  const stage = stages().find(s => s.name === name);
  if (!stage) throw new Error(`no stage ${name}`);
  return stage;
}

const finalStage = () => stages()[stages().length - 1];

describe('packages/backend/Dockerfile', () => {
  it('is a multi-stage build on tagged Node images of the repository’s major version', () => {
    const all = stages();
    expect(all.map(s => s.name)).toEqual([
      'packages',
      'build',
      'production-deps',
      undefined,
    ]);
    const toolchain = fs.readFileSync(
      path.join(ROOT, 'scripts/toolchain.sh'),
      'utf8',
    );
    const nodeMajor = /^NODE_VERSION="(\d+)\./m.exec(toolchain)?.[1];
    expect(nodeMajor).toBeDefined();
    for (const stage of all) {
      expect(stage.image).toBe('node');
      expect(stage.tag).toMatch(new RegExp(`^${nodeMajor}(\\.|-)`));
      expect(stage.tag).not.toBe('latest');
    }
  });

  it('gets yarn from corepack at the version package.json and the toolchain pin', () => {
    const rootPackage = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'),
    );
    const toolchain = fs.readFileSync(
      path.join(ROOT, 'scripts/toolchain.sh'),
      'utf8',
    );
    const yarnVersion = /^YARN_VERSION="([^"]+)"/m.exec(toolchain)?.[1];
    expect(rootPackage.packageManager).toBe(`yarn@${yarnVersion}`);
    // No .yarn/releases is committed: every stage that runs yarn enables
    // corepack first, which reads the packageManager field.
    for (const stage of stages()) {
      const runs = keyword(stage, 'RUN').map(command);
      const firstYarn = runs.findIndex(run => /\byarn\b/.test(run));
      if (firstYarn === -1) continue;
      const corepack = runs.findIndex(run => run.includes('corepack enable'));
      expect({
        stage: stage.name,
        corepackFirst: corepack >= 0 && corepack < firstYarn,
      }).toEqual({
        stage: stage.name,
        corepackFirst: true,
      });
    }
  });

  it('installs from the lockfile only: every yarn install is --immutable', () => {
    const installs = stages()
      .flatMap(stage => keyword(stage, 'RUN'))
      .map(command)
      .filter(run => /\byarn install\b/.test(run));
    expect(installs.length).toBeGreaterThan(0);
    for (const run of installs) expect(run).toContain('--immutable');
  });

  it('builds in the build stage: install, type check, backend bundle', () => {
    const runs = keyword(stageNamed('build'), 'RUN').map(command);
    const order = [
      'yarn install --immutable',
      'yarn tsc',
      'yarn --cwd packages/backend build',
    ].map(step => runs.findIndex(run => run.includes(step)));
    expect(order.every(index => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const backendPackage = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'packages/backend/package.json'), 'utf8'),
    );
    // `backstage-cli package build` writes dist/skeleton.tar.gz and dist/bundle.tar.gz.
    expect(backendPackage.scripts.build).toBe('backstage-cli package build');
  });

  it('installs only production dependencies for the runtime image', () => {
    const deps = stageNamed('production-deps');
    const yarnRuns = keyword(deps, 'RUN')
      .map(command)
      .filter(run => /\byarn\b/.test(run));
    expect(yarnRuns).toEqual(['yarn workspaces focus --all --production']);
    // It starts from the bundle's skeleton, not from the build stage's
    // node_modules (which hold every dev dependency).
    const sources = keyword(deps, 'COPY').flatMap(copy => {
      const args = copy.getArguments().map(a => a.getValue());
      return args.slice(0, -1).map(source => ({
        from: flags(copy).get('from'),
        source,
      }));
    });
    expect(sources).toContainEqual({
      from: 'build',
      source: '/app/packages/backend/dist/skeleton/',
    });
    for (const { source } of sources)
      expect(source).not.toMatch(/node_modules/);
  });

  it('runs as the non-root node user, in production mode, without compilers or installs', () => {
    const stage = finalStage();
    const users = keyword(stage, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1].getArgumentsContent()).toBe('node');
    const env = keyword(stage, 'ENV').map(i => i.getArgumentsContent());
    expect(env).toContain('NODE_ENV=production');
    // Nothing is installed or compiled in the runtime image.
    expect(keyword(stage, 'RUN')).toEqual([]);
    // From the build stage it takes only the bundle; dependencies come from
    // the production-only install.
    const copies = keyword(stage, 'COPY').flatMap(copy =>
      copy
        .getArguments()
        .map(a => a.getValue())
        .slice(0, -1)
        .map(source => ({ from: flags(copy).get('from'), source })),
    );
    expect(
      copies.filter(
        ({ from, source }) =>
          !(
            (from === 'build' &&
              /^\/app\/packages\/backend\/dist\/bundle\/?$/.test(source)) ||
            (from === undefined && /^app-config/.test(source)) ||
            (from === 'production-deps' && source === '/app')
          ),
      ),
    ).toEqual([]);
    expect(copies.map(c => c.from)).toEqual(
      expect.arrayContaining(['production-deps', 'build']),
    );
  });

  it('exposes 7007 and checks its health on the liveness path; readiness is documented', () => {
    const stage = finalStage();
    expect(keyword(stage, 'EXPOSE').map(i => i.getArgumentsContent())).toEqual([
      '7007',
    ]);
    const healthchecks = keyword(stage, 'HEALTHCHECK');
    expect(healthchecks).toHaveLength(1);
    const check = healthchecks[0].getArgumentsContent() ?? '';
    expect(check).toContain(`http://127.0.0.1:7007${LIVENESS}`);
    expect(flags(healthchecks[0]).get('start-period')).toBeDefined();
    expect(content).toContain(READINESS);
  });

  it('starts the backend with the development and production configuration layers', () => {
    const cmd = keyword(finalStage(), 'CMD');
    expect(cmd).toHaveLength(1);
    expect(JSON.parse(cmd[0].getArgumentsContent() ?? '')).toEqual([
      'node',
      'packages/backend',
      '--config',
      'app-config.yaml',
      '--config',
      'app-config.production.yaml',
    ]);
  });

  it('copies only what exists in the context and the .dockerignore lets through', () => {
    const ignored = fs
      .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map(line => line.trim())
      .filter(line => line && !line.startsWith('#'));
    const contextSources = stages()
      .flatMap(stage => keyword(stage, 'COPY'))
      .filter(copy => flags(copy).get('from') === undefined)
      .flatMap(copy =>
        copy
          .getArguments()
          .map(a => a.getValue())
          .slice(0, -1),
      )
      .filter(source => source !== '.');
    expect(contextSources.length).toBeGreaterThan(0);
    for (const source of contextSources) {
      expect({
        source,
        exists: fs.existsSync(path.join(ROOT, source)),
      }).toEqual({ source, exists: true });
      expect(ignored).not.toContain(source);
    }
    // The multi-stage build compiles sources inside the image: none of them
    // may be ignored (the host-build .dockerignore excluded plugins and src).
    for (const needed of [
      'plugins',
      'packages',
      'packages/*/src',
      'templates',
    ]) {
      expect(ignored).not.toContain(needed);
    }
    for (const hostOutput of ['node_modules', 'packages/*/dist', '.git']) {
      expect(ignored).toContain(hostOutput);
    }
  });

  it('puts every yarn workspace into the install skeleton (an --immutable install needs them all)', () => {
    const rootPackage = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'),
    );
    const skeleton = keyword(stageNamed('packages'), 'COPY').map(copy =>
      copy.getArguments().map(a => a.getValue()),
    );
    const copied = skeleton.flatMap(args => args.slice(0, -1));
    for (const workspace of rootPackage.workspaces as string[]) {
      const folder = workspace.replace(/\/\*$/, '');
      const covered =
        copied.includes(folder) || copied.includes(`${folder}/package.json`);
      expect({ workspace, covered }).toEqual({ workspace, covered: true });
    }
    for (const file of ['package.json', 'yarn.lock', '.yarnrc.yml']) {
      expect(copied).toContain(file);
    }
    // The yarn settings the install relies on are committed, not generated.
    expect(
      parse(fs.readFileSync(path.join(ROOT, '.yarnrc.yml'), 'utf8')),
    ).toEqual(expect.objectContaining({ nodeLinker: 'node-modules' }));
  });
});
