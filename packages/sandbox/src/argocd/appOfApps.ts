import YAML from 'yaml';
import { GitRepositories } from '../git/GitRepositories';
import { ArgoCdController } from './ArgoCdController';
import { applicationDefinition } from './createArgoCdRouter';

const APPLICATION_FILE = /^apps\/[a-z0-9-]+\/argocd\/[^/]+\.ya?ml$/;
const MAX_FILE_BYTES = 256 * 1024;

/**
 * Plays the GitOps repository's app-of-apps: every Argo CD Application
 * manifest under `apps/<app>/argocd/` on the default branch that the
 * controller does not know yet is created, as the real app-of-apps would.
 * Existing applications are left alone; broken files are logged and skipped.
 * Returns the names of the applications it created.
 */
export async function syncAppOfApps(options: {
  repos: GitRepositories;
  controller: ArgoCdController;
  owner: string;
  gitopsRepo: string;
  log: (line: string) => void;
}): Promise<string[]> {
  const { repos, controller, owner, gitopsRepo, log } = options;
  const head = await repos.resolveCommit(owner, gitopsRepo, 'main');
  if (!head) return [];
  const known = new Set(controller.list().map(app => app.definition.name));
  const created: string[] = [];
  const files = (await repos.listFiles(owner, gitopsRepo, head)).filter(
    entry =>
      entry.type === 'blob' &&
      APPLICATION_FILE.test(entry.path) &&
      (entry.size ?? 0) <= MAX_FILE_BYTES,
  );
  for (const file of files) {
    const content = (
      await repos.readBlob(owner, gitopsRepo, file.sha)
    ).toString('utf8');
    for (const document of YAML.parseAllDocuments(content)) {
      const manifest = document.toJS() as Record<string, any> | null;
      if (
        manifest?.kind !== 'Application' ||
        manifest?.apiVersion !== 'argoproj.io/v1alpha1' ||
        known.has(manifest?.metadata?.name)
      ) {
        continue;
      }
      try {
        const definition = applicationDefinition(manifest, {
          owner,
          gitopsRepo,
        });
        await controller.createApplication(definition, false);
        known.add(definition.name);
        created.push(definition.name);
      } catch (error) {
        log(
          `sandbox: app-of-apps skipped ${file.path}: ${String(
            (error as Error)?.message ?? error,
          )}`,
        );
      }
    }
  }
  if (created.length > 0) {
    log(`sandbox: app-of-apps created ${created.join(', ')}`);
  }
  return created;
}
