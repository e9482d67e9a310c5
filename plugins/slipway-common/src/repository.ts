/**
 * How a Git repository is named in keys and comparisons. Change it here only.
 */

/**
 * The key of a repository URL: protocol, lower-case host and path without a
 * trailing `.git` or slash. A value that is not a URL is its own key.
 *
 * @public
 */
export function repoKey(repoUrl: string): string {
  try {
    const url = new URL(repoUrl);
    return `${url.protocol}//${url.host.toLowerCase()}${url.pathname
      .replace(/\.git$/, '')
      .replace(/\/+$/, '')}`;
  } catch {
    return repoUrl;
  }
}

/**
 * The `owner/name` of a repository URL, lower case: the last two segments of
 * its key. Webhooks name repositories this way (they do not know the host).
 *
 * @public
 */
export function repositoryName(repoUrl: string): string {
  return repoKey(repoUrl).split('/').slice(-2).join('/').toLowerCase();
}
