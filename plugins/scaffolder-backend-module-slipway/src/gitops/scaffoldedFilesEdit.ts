import { normalizeRepoPath } from '@slipway/plugin-slipway-common';
import {
  ContainedFile,
  GitOpsEditCallback,
  GitOpsGateway,
} from '@slipway/plugin-slipway-node';
import { parseDocument } from 'yaml';
import { assertAppFolderFiles } from '../manifests/appOwnership';
import { toYaml } from '../manifests/yamlFiles';
import { mergeAppProject } from '../manifests/argoCd';
import {
  folderEntries,
  isKustomizeConfig,
  mergeScaffoldedFile,
} from './mergeScaffoldedFile';

/** Options of {@link scaffoldedFilesEdit}. */
export interface ScaffoldedFilesOptions {
  /** Files to write, relative to the repository root. */
  files: ContainedFile[];
  /** Repository-relative folders or files the change may touch. */
  allowedPaths: string[];
  /** Application the files are for; its folder must be its own or new. */
  app: string;
  appFolder: string;
}

function isUnder(file: string, folder: string): boolean {
  return file === folder || file.startsWith(`${folder}/`);
}

function isAppProject(content: string): boolean {
  try {
    return parseDocument(content).get('kind') === 'AppProject';
  } catch {
    return false;
  }
}

/**
 * The scaffolder's rules on top of the GitOps gateway, as an edit callback:
 * the application's folder must be its own (or new); files outside it are
 * only added, never overwritten, except what `mergeScaffoldedFile` merges:
 * AppProjects and kustomization resources (the platform team's comments and
 * entries kept), a team's shared Flux objects (kept) and files of the same
 * application. Paths
 * are checked here, before anything is fetched, and again by the gateway.
 */
export function scaffoldedFilesEdit(
  options: ScaffoldedFilesOptions,
): GitOpsEditCallback {
  const appFolder = normalizeRepoPath(options.appFolder, 'app folder');
  const files = options.files.map(file => ({
    path: normalizeRepoPath(file.path, 'file path'),
    content: file.content,
  }));
  GitOpsGateway.checkEdit({ write: files }, options.allowedPaths);

  return async tree => {
    assertAppFolderFiles(
      await tree.readTree(appFolder),
      appFolder,
      options.app,
    );
    const write: ContainedFile[] = [];
    for (const file of files) {
      const existing = await tree.readFile(file.path);
      let content = file.content;
      if (existing !== undefined) {
        if (existing === content) continue;
        if (isAppProject(content)) {
          const merged = mergeAppProject(
            existing,
            parseDocument(content).toJS(),
          );
          if (!merged.changed) continue;
          content = merged.content;
        } else if (!isUnder(file.path, appFolder)) {
          const merged = mergeScaffoldedFile({
            path: file.path,
            existing,
            generated: content,
            app: options.app,
          });
          if (!merged.changed) continue;
          content = merged.content;
        }
      } else if (
        !isUnder(file.path, appFolder) &&
        isKustomizeConfig(content) &&
        file.path.includes('/')
      ) {
        // A new kustomization in a folder that already has content (e.g.
        // flux-system/ from `flux bootstrap`) keeps that content in the build.
        const folder = file.path.slice(0, file.path.lastIndexOf('/'));
        const entries = folderEntries(folder, await tree.readTree(folder));
        if (entries.length > 0) {
          const parsed = parseDocument(content).toJS();
          content = toYaml({
            ...parsed,
            resources: [...new Set([...entries, ...(parsed.resources ?? [])])],
          });
        }
      }
      write.push({ path: file.path, content });
    }
    return { write };
  };
}
