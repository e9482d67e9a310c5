import fs from 'fs';
import path from 'path';

/** Root of the monorepo. */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');
export const TEMPLATES_DIR = path.join(REPO_ROOT, 'templates');

/**
 * GitLab's CI JSON schema. CI runs the repository in a fresh clone with
 * shared/ beside it; a missing schema fails loudly.
 */
export function gitlabCiSchemaPath(): string {
  const file = path.resolve(REPO_ROOT, '../shared/specs/gitlab-ci-schema.json');
  if (!fs.existsSync(file)) {
    throw new Error(
      `GitLab CI schema not found at ${file}; the tests need shared/specs beside the repository`,
    );
  }
  return file;
}

/** kubectl, for `kubectl kustomize` as the rendering oracle. */
export function kubectlPath(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'kubectl');
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('kubectl is not on PATH; it is needed to render overlays');
}
