import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
  ScmIntegrations,
} from '@backstage/integration';

/** Basic credentials for git over HTTP(S); never put into a URL. @public */
export interface GitCredentials {
  username: string;
  password: string;
}

/** The hosting a repository lives on, as far as Slipway talks to its API. @public */
export type ScmProvider = 'github' | 'gitlab' | 'generic';

/** A repository with everything needed to read, write and open pull requests. @public */
export interface ScmRepository {
  /** The clone URL, without credentials. */
  url: string;
  provider: ScmProvider;
  /** API base URL of the integration (GitHub and GitLab). */
  apiBaseUrl?: string;
  /** `owner/repo` on GitHub, the project path on GitLab. */
  slug: string;
  auth?: GitCredentials;
}

/** Looks up git credentials for a repository URL. @public */
export type GitCredentialsLookup = (
  url: URL,
) => Promise<GitCredentials | undefined>;

/**
 * The repository slug of a clone URL: its path without `.git`; on GitHub the
 * last two segments (a plain smart-HTTP server may put `git/` in front).
 */
function slugOf(url: URL, provider: ScmProvider): string {
  const segments = url.pathname
    .replace(/\.git$/, '')
    .split('/')
    .filter(Boolean);
  if (segments.length < 2 || segments.some(s => s === '..' || s === '.')) {
    throw new InputError('The repository URL must name owner and repository');
  }
  return provider === 'gitlab'
    ? segments.join('/')
    : segments.slice(-2).join('/');
}

/**
 * Credentials for GitOps repositories, looked up one way for reads and
 * writes: Backstage's `integrations.*` config, GitHub through the GitHub
 * credentials provider (so a GitHub App works as well as a token), GitLab
 * through the integration's token. Hosts without an integration get no
 * credentials unless the caller passes a token.
 *
 * @public
 */
export class ScmCredentials {
  static create(options: {
    integrations: ScmIntegrationRegistry;
    githubCredentialsProvider?: GithubCredentialsProvider;
  }): ScmCredentials {
    return new ScmCredentials(
      options.integrations,
      options.githubCredentialsProvider ??
        DefaultGithubCredentialsProvider.fromIntegrations(options.integrations),
    );
  }

  static fromConfig(config: Config): ScmCredentials {
    return ScmCredentials.create({
      integrations: ScmIntegrations.fromConfig(config),
    });
  }

  private constructor(
    private readonly integrations: ScmIntegrationRegistry,
    private readonly github: GithubCredentialsProvider,
  ) {}

  /**
   * Resolves the provider, API and credentials of a repository. `token`,
   * when given, is used instead of the integration's credentials.
   */
  async resolve(
    repoUrl: string,
    options: { token?: string } = {},
  ): Promise<ScmRepository> {
    const url = new URL(repoUrl);
    const github = this.integrations.github.byUrl(repoUrl);
    if (github) {
      const slug = slugOf(url, 'github');
      let password = options.token;
      if (!password) {
        const credentials = await this.github.getCredentials({
          url: `${url.protocol}//${url.host}/${slug}`,
        });
        password = credentials.token;
      }
      return {
        url: repoUrl,
        provider: 'github',
        apiBaseUrl: github.config.apiBaseUrl,
        slug,
        auth: password ? { username: 'x-access-token', password } : undefined,
      };
    }
    const gitlab = this.integrations.gitlab.byUrl(repoUrl);
    if (gitlab) {
      const password = options.token ?? gitlab.config.token;
      return {
        url: repoUrl,
        provider: 'gitlab',
        apiBaseUrl: gitlab.config.apiBaseUrl,
        slug: slugOf(url, 'gitlab'),
        auth: password ? { username: 'oauth2', password } : undefined,
      };
    }
    return {
      url: repoUrl,
      provider: 'generic',
      slug: slugOf(url, 'generic'),
      auth: options.token
        ? { username: 'x-access-token', password: options.token }
        : undefined,
    };
  }

  /** Git credentials for reading or writing a repository. */
  async gitCredentials(url: URL | string): Promise<GitCredentials | undefined> {
    return (await this.resolve(String(url))).auth;
  }

  /** {@link ScmCredentials.gitCredentials} as a function, for readers. */
  gitCredentialsLookup(): GitCredentialsLookup {
    return url => this.gitCredentials(url);
  }
}
