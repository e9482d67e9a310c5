import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { ScmCredentials } from './ScmCredentials';

const config = new ConfigReader({
  integrations: {
    github: [
      { host: 'github.com', token: 'gh-token' },
      { host: 'ghe.example.com', apiBaseUrl: 'https://ghe.example.com/api/v3' },
    ],
    gitlab: [
      {
        host: 'gitlab.example.com',
        apiBaseUrl: 'https://gitlab.example.com/api/v4',
        token: 'gl-token',
      },
    ],
  },
});

describe('ScmCredentials', () => {
  it('resolves GitHub repositories through the GitHub credentials provider (token or App)', async () => {
    const getCredentials = jest.fn(async () => ({
      type: 'app' as const,
      token: 'installation-token',
      headers: {},
    }));
    const credentials = ScmCredentials.create({
      integrations: ScmIntegrations.fromConfig(config),
      githubCredentialsProvider: { getCredentials },
    });
    await expect(
      credentials.resolve('https://ghe.example.com/acme/gitops.git'),
    ).resolves.toEqual({
      url: 'https://ghe.example.com/acme/gitops.git',
      provider: 'github',
      apiBaseUrl: 'https://ghe.example.com/api/v3',
      slug: 'acme/gitops',
      auth: { username: 'x-access-token', password: 'installation-token' },
    });
    expect(getCredentials).toHaveBeenCalledWith({
      url: 'https://ghe.example.com/acme/gitops',
    });
    // Reads use the same lookup.
    const lookup = credentials.gitCredentialsLookup();
    await expect(
      lookup(new URL('https://ghe.example.com/acme/gitops.git')),
    ).resolves.toEqual({
      username: 'x-access-token',
      password: 'installation-token',
    });
  });

  it('uses the integration token of github.com by default', async () => {
    const credentials = ScmCredentials.fromConfig(config);
    await expect(
      credentials.gitCredentials('https://github.com/acme/gitops.git'),
    ).resolves.toEqual({ username: 'x-access-token', password: 'gh-token' });
  });

  it('resolves GitLab projects with their full path and the integration token', async () => {
    const credentials = ScmCredentials.fromConfig(config);
    await expect(
      credentials.resolve(
        'https://gitlab.example.com/acme/platform/gitops.git',
      ),
    ).resolves.toMatchObject({
      provider: 'gitlab',
      slug: 'acme/platform/gitops',
      apiBaseUrl: 'https://gitlab.example.com/api/v4',
      auth: { username: 'oauth2', password: 'gl-token' },
    });
  });

  it('prefers an explicit token and gives unknown hosts nothing else', async () => {
    const credentials = ScmCredentials.fromConfig(config);
    await expect(
      credentials.resolve('https://gitlab.example.com/acme/gitops.git', {
        token: 'task-token',
      }),
    ).resolves.toMatchObject({
      auth: { username: 'oauth2', password: 'task-token' },
    });
    await expect(
      credentials.resolve('https://git.example.org/acme/gitops.git'),
    ).resolves.toMatchObject({ provider: 'generic', auth: undefined });
    await expect(
      credentials.gitCredentials('https://git.example.org/acme/gitops.git'),
    ).resolves.toBeUndefined();
    await expect(
      credentials.resolve('https://git.example.org/x', { token: 'abcd' }),
    ).rejects.toThrow(/owner and repository/);
    await expect(
      credentials.resolve('https://git.example.org/a/../b'),
    ).rejects.toThrow();
  });
});
