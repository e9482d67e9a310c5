import { InputError } from '@backstage/errors';
import { APP_LABEL } from '@slipway/plugin-slipway-common';
import { parseAllDocuments } from 'yaml';
import { ContainedFile, readContainedTree } from '@slipway/plugin-slipway-node';

function labelOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The application names a set of files claims, read from `slipway.dev/app`
 * in object labels and in kustomization `labels[].pairs` / `commonLabels`.
 * Files that do not parse as YAML claim nothing.
 *
 * @public
 */
export function readAppOwners(files: ContainedFile[]): Set<string> {
  const owners = new Set<string>();
  for (const file of files) {
    if (!/\.ya?ml$/i.test(file.path) && !file.path.endsWith('Kustomization')) {
      continue;
    }
    let documents;
    try {
      documents = parseAllDocuments(file.content);
    } catch {
      continue;
    }
    if (!Array.isArray(documents)) continue;
    for (const document of documents) {
      const root = document.toJS() as any;
      if (!root || typeof root !== 'object') continue;
      const label = labelOf(root.metadata?.labels?.[APP_LABEL]);
      if (label) owners.add(label);
      const common = labelOf(root.commonLabels?.[APP_LABEL]);
      if (common) owners.add(common);
      if (Array.isArray(root.labels)) {
        for (const entry of root.labels) {
          const pair = labelOf(entry?.pairs?.[APP_LABEL]);
          if (pair) owners.add(pair);
        }
      }
    }
  }
  return owners;
}

/**
 * Refuses to write an application's GitOps folder when it already holds
 * files of another application (or of no recognisable application). An
 * empty or missing folder, or one owned by the same application, passes.
 * Returns the files found.
 *
 * @public
 */
export async function assertAppFolderOwnership(
  root: string,
  folder: string,
  app: string,
): Promise<ContainedFile[]> {
  const existing = await readContainedTree(root, folder);
  assertAppFolderFiles(existing, folder, app);
  return existing;
}

/**
 * The rule of {@link assertAppFolderOwnership} over files already read (for
 * example from the tree a GitOps gateway edit sees).
 *
 * @public
 */
export function assertAppFolderFiles(
  existing: ContainedFile[],
  folder: string,
  app: string,
): void {
  if (existing.length === 0) return;
  const owners = readAppOwners(existing);
  const foreign = [...owners].filter(owner => owner !== app);
  if (foreign.length > 0) {
    throw new InputError(
      `${folder} belongs to application ${foreign.join(
        ', ',
      )}, not ${app}; refusing to overwrite it`,
    );
  }
  if (owners.size === 0) {
    throw new InputError(
      `${folder} already holds files that carry no ${APP_LABEL} label; refusing to overwrite them`,
    );
  }
}
