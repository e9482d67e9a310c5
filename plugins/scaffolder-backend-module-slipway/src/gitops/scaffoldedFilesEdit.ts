import { InputError } from '@backstage/errors';
import { normalizeRepoPath } from '@slipway/plugin-slipway-common';
import {
  ContainedFile,
  GitOpsEditCallback,
  GitOpsGateway,
} from '@slipway/plugin-slipway-node';
import { parseDocument } from 'yaml';
import { assertAppFolderFiles } from '../manifests/appOwnership';
import { mergeAppProject } from '../manifests/argoCd';

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
 * only added, never overwritten, except AppProjects, which are merged into
 * the existing one (the platform team's comments and entries kept). Paths
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
          throw new InputError(
            `${file.path} already exists outside the application's folder; refusing to overwrite it`,
          );
        }
      }
      write.push({ path: file.path, content });
    }
    return { write };
  };
}
