import { InputError } from '@backstage/errors';
import { normalizeRepoPath } from '@slipway/plugin-slipway-common';
import { constants as fsConstants } from 'fs';
import fs from 'fs/promises';
import path from 'path';

/** A file to write, relative to a root folder. @public */
export interface ContainedFile {
  path: string;
  content: string;
}

/** Limits of a bounded tree read. @public */
export interface ReadTreeLimits {
  maxFiles?: number;
  maxBytes?: number;
}

const DEFAULT_MAX_FILES = 2000;
const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return (
    relative === '' ||
    (!relative.startsWith(`..${path.sep}`) &&
      relative !== '..' &&
      !path.isAbsolute(relative))
  );
}

/**
 * True when a path segment is (or is inside) a git metadata folder. Files
 * under `.git` are never copied or written by Slipway: they could carry hooks
 * or configuration that a git client would run.
 *
 * @public
 */
export function isGitMetadataPath(relative: string): boolean {
  return relative.split('/').some(segment => segment.toLowerCase() === '.git');
}

/**
 * Resolves `relative` under `root` for writing. Refuses traversal (through
 * {@link @slipway/plugin-slipway-common#normalizeRepoPath}), git metadata
 * folders, and any existing path component that is a symbolic link, then
 * checks the real path of the deepest existing ancestor is inside the real
 * root (the CVE-2024-26150 class of bypass).
 *
 * @public
 */
export async function resolveContainedPath(
  root: string,
  relative: string,
): Promise<string> {
  const normalized = normalizeRepoPath(relative, 'path');
  if (isGitMetadataPath(normalized)) {
    throw new InputError(`Refusing to write git metadata: ${normalized}`);
  }
  const realRoot = await fs.realpath(root);
  let current = realRoot;
  for (const segment of normalized.split('/')) {
    current = path.join(current, segment);
    const stat = await fs.lstat(current).catch(() => undefined);
    if (!stat) break;
    if (stat.isSymbolicLink()) {
      throw new InputError(
        `Refusing to follow the symbolic link ${path.relative(
          realRoot,
          current,
        )}`,
      );
    }
    const real = await fs.realpath(current);
    if (!isInside(realRoot, real)) {
      throw new InputError(`Path ${normalized} resolves outside its root`);
    }
  }
  const target = path.join(realRoot, normalized);
  if (!isInside(realRoot, target)) {
    throw new InputError(`Path ${normalized} resolves outside its root`);
  }
  return target;
}

async function ensureDirectory(root: string, relativeDir: string) {
  const realRoot = await fs.realpath(root);
  let current = realRoot;
  for (const segment of relativeDir.split('/').filter(Boolean)) {
    current = path.join(current, segment);
    const stat = await fs.lstat(current).catch(() => undefined);
    if (!stat) {
      await fs.mkdir(current);
    } else if (stat.isSymbolicLink() || !stat.isDirectory()) {
      throw new InputError(
        `Refusing to write into ${path.relative(
          realRoot,
          current,
        )}: not a plain folder`,
      );
    }
  }
}

/**
 * Writes a file under `root`, creating folders as needed, never following a
 * symbolic link (folders are checked one by one, the file is opened with
 * O_NOFOLLOW).
 *
 * @public
 */
export async function writeContainedFile(
  root: string,
  relative: string,
  content: string,
): Promise<void> {
  const target = await resolveContainedPath(root, relative);
  const normalized = normalizeRepoPath(relative, 'path');
  const dir = path.posix.dirname(normalized);
  if (dir !== '.') await ensureDirectory(root, dir);
  const handle = await fs.open(
    target,
    fsConstants.O_WRONLY |
      fsConstants.O_CREAT |
      fsConstants.O_TRUNC |
      fsConstants.O_NOFOLLOW,
    0o644,
  );
  try {
    await handle.writeFile(content, 'utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Reads a file under `root` if it exists (never through a symbolic link).
 *
 * @public
 */
export async function readContainedFile(
  root: string,
  relative: string,
): Promise<string | undefined> {
  const target = await resolveContainedPath(root, relative);
  const stat = await fs.lstat(target).catch(() => undefined);
  if (!stat) return undefined;
  if (!stat.isFile()) {
    throw new InputError(`${relative} is not a regular file`);
  }
  const handle = await fs.open(
    target,
    fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW,
  );
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Lists the files of a folder under `root` with their content, bounded in
 * count and size. Symbolic links anywhere in the tree and git metadata are
 * refused. Returns an empty list when the folder does not exist.
 *
 * @public
 */
export async function readContainedTree(
  root: string,
  relativeDir: string,
  limits: ReadTreeLimits = {},
): Promise<ContainedFile[]> {
  const maxFiles = limits.maxFiles ?? DEFAULT_MAX_FILES;
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const start =
    relativeDir === '.' || relativeDir === ''
      ? await fs.realpath(root)
      : await resolveContainedPath(root, relativeDir);
  const base = await fs.realpath(root);
  const files: ContainedFile[] = [];
  let bytes = 0;
  const stat = await fs.lstat(start).catch(() => undefined);
  if (!stat) return files;
  if (!stat.isDirectory()) {
    throw new InputError(`${relativeDir} is not a folder`);
  }
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(base, full).split(path.sep).join('/');
      if (entry.isSymbolicLink()) {
        throw new InputError(`Refusing the symbolic link ${rel}`);
      }
      if (entry.name.toLowerCase() === '.git') {
        throw new InputError(`Refusing git metadata at ${rel}`);
      }
      if (entry.isDirectory()) {
        await walk(full);
      } else if (entry.isFile()) {
        const content = await fs.readFile(full, 'utf8');
        bytes += Buffer.byteLength(content, 'utf8');
        if (files.length >= maxFiles || bytes > maxBytes) {
          throw new InputError(
            `Folder ${relativeDir} holds more than ${maxFiles} files or ${maxBytes} bytes`,
          );
        }
        files.push({ path: rel, content });
      } else {
        throw new InputError(`Refusing the special file ${rel}`);
      }
    }
  };
  await walk(start);
  return files;
}
