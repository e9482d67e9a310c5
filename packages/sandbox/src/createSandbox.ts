import fs from 'node:fs';
import path from 'node:path';
import express, { NextFunction, Request, Response, Router } from 'express';
import { createAdminRouter } from './admin/createAdminRouter';
import { syncAppOfApps } from './argocd/appOfApps';
import { ArgoNotifier } from './argocd/ArgoNotifier';
import { ArgoCdController } from './argocd/ArgoCdController';
import { createArgoCdRouter } from './argocd/createArgoCdRouter';
import { CiSimulator } from './ci/CiSimulator';
import { DevOverlayDeployer } from './ci/DevOverlayDeployer';
import {
  DEFAULT_BASE_PORT,
  DEFAULT_CREDENTIALS,
  DEFAULT_HOST,
  DEFAULT_TIMINGS,
  GITOPS_REPO,
  SANDBOX_BANNER,
  SANDBOX_OWNER,
} from './defaults';
import { FaultInjector } from './faults/FaultInjector';
import { createFluxRouter } from './flux/createFluxRouter';
import { FluxController } from './flux/FluxController';
import { createGitHttpHandler } from './git/createGitHttpHandler';
import { GitRepositories } from './git/GitRepositories';
import { RepoWatcher } from './git/RepoWatcher';
import { createGithubRouter } from './github/createGithubRouter';
import { BranchProtection } from './github/BranchProtection';
import { GithubService } from './github/GithubService';
import { cloneUrl } from './github/githubObjects';
import { PullRequests } from './github/PullRequests';
import { createGitlabRouter } from './gitlab/createGitlabRouter';
import { GitlabService } from './gitlab/GitlabService';
import { MergeRequests } from './gitlab/MergeRequests';
import { GITLAB_SEED_SERVICE, seedGitlab } from './gitlab/seedGitlab';
import { createHarborRouter } from './harbor/createHarborRouter';
import { HarborRegistry } from './harbor/HarborRegistry';
import { createRegistryRouter } from './harbor/createRegistryRouter';
import { SignatureAuthority } from './harbor/SignatureAuthority';
import { RunningServer, startServer } from './http/startServer';
import { seedClones } from './seed/seedClones';
import { needsSeed, seedMissingServices, seedWorld } from './seed/seedWorld';
import { createSonarQubeRouter } from './sonarqube/createSonarQubeRouter';
import { SonarQubeProjects } from './sonarqube/SonarQubeProjects';
import {
  SandboxCredentials,
  SandboxOptions,
  SandboxPorts,
  SandboxTimings,
  SandboxUrls,
  SandboxVendor,
} from './types';

/** A running sandbox. */
export interface Sandbox {
  urls: SandboxUrls;
  dataDir: string;
  timings: SandboxTimings;
  /** Fault rules, also reachable over the admin API. */
  faults: FaultInjector;
  /** The Argo CD stand-in, for tests that need to look inside. */
  argocd: ArgoCdController;
  /** The Flux stand-in (Kubernetes API), for tests that need to look inside. */
  flux: FluxController;
  /** Checks every repository for new commits now (instead of waiting for the poll). */
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function resolvePorts(options: SandboxOptions): SandboxPorts {
  const base = options.basePort ?? DEFAULT_BASE_PORT;
  const at = (offset: number) => (base === 0 ? 0 : base + offset);
  return {
    admin: at(0),
    github: at(1),
    argocd: at(2),
    harbor: at(3),
    sonarqube: at(4),
    gitlab: at(5),
    flux: at(6),
    ...options.ports,
  };
}

/** An express app whose routes are attached once the services exist. */
function vendorApp(
  faults: FaultInjector,
  vendorOf: (req: Request) => SandboxVendor | undefined,
) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('x-sandbox', 'slipway; not a real vendor service');
    next();
  });
  app.use(faults.middleware(vendorOf));
  const slot = Router();
  app.use(slot);
  return { app, slot };
}

/**
 * Starts the sandbox: seeds the data dir when empty, then serves the admin,
 * GitHub (+ git), Argo CD, Harbor, SonarQube, GitLab (+ git) and Flux
 * (Kubernetes API) stand-ins on loopback.
 */
export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const host = options.host ?? DEFAULT_HOST;
  if (!LOOPBACK.has(host)) {
    throw new Error(`the sandbox only listens on loopback, not ${host}`);
  }
  const ports = resolvePorts(options);
  const timings: SandboxTimings = { ...DEFAULT_TIMINGS, ...options.timings };
  const credentials: SandboxCredentials = {
    ...DEFAULT_CREDENTIALS,
    ...options.credentials,
  };
  const log = options.log ?? ((line: string) => console.log(line));
  const owner = SANDBOX_OWNER;
  const registryHost =
    options.registryHost ?? `${host}:${ports.harbor || DEFAULT_BASE_PORT + 3}`;
  fs.mkdirSync(options.dataDir, { recursive: true });

  const repos = GitRepositories.create({ dataDir: options.dataDir });
  const seeding = needsSeed(repos);
  if (seeding) {
    log(`sandbox: seeding ${options.dataDir}`);
    await seedWorld(repos, { owner, registryHost });
  } else {
    const added = await seedMissingServices(repos, { owner, registryHost });
    if (added.length > 0) log(`sandbox: seeded ${added.join(', ')}`);
  }
  // The GitLab side keeps its own bare repositories, so nothing the GitHub
  // side serves changes.
  const gitlabDir = path.join(options.dataDir, 'gitlab');
  const gitlabRepos = GitRepositories.create({ dataDir: gitlabDir });
  if (needsSeed(gitlabRepos)) {
    await seedGitlab(gitlabRepos, {
      owner,
      registryHost,
      serviceShas: (
        await repos.log(owner, GITLAB_SEED_SERVICE, 'main')
      ).reverse(),
    });
  }

  const faults = FaultInjector.create({ timeoutMs: timings.faultTimeoutMs });
  const admin = vendorApp(faults, () => undefined);
  const github = vendorApp(faults, req =>
    req.path.startsWith('/git/') ? 'git' : 'github',
  );
  const argocdApp = vendorApp(faults, () => 'argocd');
  const harborApp = vendorApp(faults, () => 'harbor');
  const sonarApp = vendorApp(faults, () => 'sonarqube');
  const fluxApp = vendorApp(faults, () => 'flux');
  const gitlabApp = vendorApp(faults, req =>
    /^\/[^/]+\/[^/]+\.git\//.test(req.path) ? 'git' : 'gitlab',
  );

  const servers: RunningServer[] = [];
  const stopServers = async () => {
    faults.releaseAll();
    await Promise.all(servers.map(server => server.close()));
  };
  try {
    servers.push(await startServer(admin.app, host, ports.admin));
    servers.push(await startServer(github.app, host, ports.github));
    servers.push(await startServer(argocdApp.app, host, ports.argocd));
    servers.push(await startServer(harborApp.app, host, ports.harbor));
    servers.push(await startServer(sonarApp.app, host, ports.sonarqube));
    servers.push(await startServer(gitlabApp.app, host, ports.gitlab));
    servers.push(await startServer(fluxApp.app, host, ports.flux));
  } catch (error) {
    await stopServers();
    throw error;
  }
  const [
    adminServer,
    githubServer,
    argocdServer,
    harborServer,
    sonarServer,
    gitlabServer,
    fluxServer,
  ] = servers;
  const githubUrls = {
    api: `${githubServer.url}/api/v3`,
    web: githubServer.url,
  };
  const urls: SandboxUrls = {
    admin: adminServer.url,
    github: githubServer.url,
    githubApi: githubUrls.api,
    git: `${githubServer.url}/git`,
    argocd: argocdServer.url,
    harbor: harborServer.url,
    sonarqube: sonarServer.url,
    gitlab: gitlabServer.url,
    gitlabApi: `${gitlabServer.url}/api/v4`,
    flux: fluxServer.url,
  };

  if (seeding && options.seedClones) {
    // After the servers start: the clones' Applications name the clone URL.
    await seedClones(repos, {
      owner,
      registryHost,
      count: options.seedClones,
      gitopsCloneUrl: cloneUrl(githubUrls, owner, GITOPS_REPO),
    });
  }
  const harbor = HarborRegistry.create();
  const signatures = await SignatureAuthority.create({ registryHost });
  const sonar = SonarQubeProjects.create();
  const ci = CiSimulator.create({ repos, harbor, sonar, timings, log });
  await ci.deriveFromHistory();
  const argocd = await ArgoCdController.create({
    repos,
    dataDir: options.dataDir,
    owner,
    gitopsRepo: GITOPS_REPO,
    gitopsCloneUrl: cloneUrl(githubUrls, owner, GITOPS_REPO),
    registryHost,
    timings,
    log,
  });
  const gitopsCloneUrl = cloneUrl(githubUrls, owner, GITOPS_REPO);
  const flux = await FluxController.create({
    repos,
    owner,
    gitopsRepo: GITOPS_REPO,
    gitopsCloneUrl,
    timings,
    log,
  });
  const watcher = await RepoWatcher.create({
    repos,
    intervalMs: timings.pollIntervalMs,
    onError: error =>
      log(
        `sandbox: watcher error: ${String((error as Error)?.message ?? error)}`,
      ),
  });
  watcher.onPush(event => ci.handlePush(event));
  const notifier = options.argocdWebhook
    ? ArgoNotifier.create({ target: options.argocdWebhook, log })
    : undefined;
  if (notifier) {
    argocd.onChange(app => notifier.changed(app));
  }
  const appOfApps = () =>
    syncAppOfApps({
      repos,
      controller: argocd,
      owner,
      gitopsRepo: GITOPS_REPO,
      log,
    });
  await appOfApps();
  watcher.onPush(async event => {
    if (event.owner === owner && event.repo === GITOPS_REPO) {
      await appOfApps();
      await argocd.refresh();
      await flux.refresh();
    }
  });

  const protection = BranchProtection.create({ dataDir: options.dataDir });
  const service = GithubService.create({
    repos,
    pulls: PullRequests.create({ dataDir: options.dataDir }),
    protection,
    ci,
    watcher,
    urls: githubUrls,
  });
  const deployer = DevOverlayDeployer.create({
    repos,
    harbor,
    github: service,
    gitUrl: urls.git,
    token: credentials.githubTokens[0],
    dataDir: options.dataDir,
    retryMs: Math.max(timings.pollIntervalMs, timings.ciQueuedMs),
    log,
  });
  ci.onCompleted(run => deployer.runCompleted(run));
  const gitlab = GitlabService.create({
    repos: gitlabRepos,
    mergeRequests: MergeRequests.create({ dataDir: gitlabDir }),
    urls: { api: urls.gitlabApi, web: urls.gitlab },
  });
  admin.slot.use(
    createAdminRouter({
      faults,
      repos,
      watcher,
      ci,
      harbor,
      argo: argocd,
      flux,
      github: service,
      protection,
      gitlab,
      urls: () => urls,
      adminTokens: credentials.adminTokens,
    }),
  );
  github.slot.use(
    '/api/v3',
    createGithubRouter({ service, tokens: credentials.githubTokens }),
  );
  github.slot.use(
    '/git',
    createGitHttpHandler({
      repos,
      tokens: credentials.githubTokens,
      protection,
      faults,
      onPushed: (o, r) => watcher.check(o, r),
      log,
    }),
  );
  github.slot.use((_req: Request, res: Response) => {
    res.status(404).json({ message: 'Not Found', status: '404' });
  });
  gitlabApp.slot.use(
    '/api/v4',
    createGitlabRouter({ service: gitlab, tokens: credentials.gitlabTokens }),
  );
  gitlabApp.slot.use(
    createGitHttpHandler({
      repos: gitlabRepos,
      tokens: credentials.gitlabTokens,
      // Nothing is protected on the GitLab side.
      protection: BranchProtection.create({ dataDir: gitlabDir }),
      faults,
      onPushed: async () => {},
      log,
    }),
  );
  argocdApp.slot.use(
    '/api/v1',
    createArgoCdRouter({
      controller: argocd,
      repos,
      owner,
      gitopsRepo: GITOPS_REPO,
      staticTokens: credentials.argocdTokens,
      writeTokens: credentials.argocdWriteTokens,
      username: credentials.argocdUsername,
      password: credentials.argocdPassword,
    }),
  );
  fluxApp.slot.use(
    createFluxRouter({
      controller: flux,
      readTokens: credentials.fluxTokens,
      writeTokens: credentials.fluxWriteTokens,
      owner,
      gitopsRepo: GITOPS_REPO,
      gitopsCloneUrl: () => gitopsCloneUrl,
    }),
  );
  harborApp.slot.use(
    '/api/v2.0',
    createHarborRouter({
      registry: harbor,
      username: credentials.harborUsername,
      password: credentials.harborPassword,
    }),
  );
  harborApp.slot.use(
    '/v2',
    createRegistryRouter({
      registry: harbor,
      authority: signatures,
      username: credentials.harborUsername,
      password: credentials.harborPassword,
    }),
  );
  sonarApp.slot.use(
    '/api',
    createSonarQubeRouter({
      projects: sonar,
      tokens: credentials.sonarqubeTokens,
    }),
  );

  log(SANDBOX_BANNER);
  log(
    `sandbox admin      ${urls.admin}/admin/state  (faults: ${urls.admin}/admin/faults)`,
  );
  log(
    `sandbox github     ${urls.githubApi}  git: ${urls.git}/<owner>/<repo>.git`,
  );
  log(`sandbox argocd     ${urls.argocd}/api/v1`);
  log(`sandbox harbor     ${urls.harbor}/api/v2.0`);
  log(`sandbox sonarqube  ${urls.sonarqube}/api`);
  log(
    `sandbox gitlab     ${urls.gitlabApi}  git: ${urls.gitlab}/<group>/<project>.git`,
  );
  log(`sandbox flux       ${urls.flux}/apis  (Kubernetes API: Flux objects)`);

  let stopped: Promise<void> | undefined;
  return {
    urls,
    dataDir: options.dataDir,
    timings,
    faults,
    argocd,
    flux,
    refresh: async () => {
      for (const { owner: o, repo } of repos.list()) {
        await watcher.check(o, repo);
      }
    },
    stop: () => {
      stopped ??= (async () => {
        watcher.stop();
        ci.stop();
        argocd.stop();
        flux.stop();
        notifier?.stop();
        await deployer.idle();
        await stopServers();
      })();
      return stopped;
    },
  };
}
