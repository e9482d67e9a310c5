import fc from 'fast-check';
import {
  artifactsScope,
  ciScope,
  DELIVERY_SCOPE,
  gitopsScope,
  gitopsScopeOfUrl,
  qualityScope,
} from './cacheScopes';
import { entitySignalChannel, FLEET_SIGNAL_CHANNEL } from './channels';
import { defaultGitopsPath } from './conventions';
import { repoKey, repositoryName } from './repository';

describe('repository names', () => {
  it.each([
    [
      'https://Git.Example.com/Acme/GitOps.git',
      'https://git.example.com/Acme/GitOps',
      'acme/gitops',
    ],
    [
      'https://git.example.com/acme/gitops/',
      'https://git.example.com/acme/gitops',
      'acme/gitops',
    ],
    [
      'http://127.0.0.1:8080/git/acme/gitops.git',
      'http://127.0.0.1:8080/git/acme/gitops',
      'acme/gitops',
    ],
    [
      'https://gitlab.example.com/group/sub/repo.git',
      'https://gitlab.example.com/group/sub/repo',
      'sub/repo',
    ],
    ['not a url', 'not a url', 'not a url'],
  ])('%s has key %s and name %s', (url, key, name) => {
    expect(repoKey(url)).toBe(key);
    expect(repositoryName(url)).toBe(name);
  });

  it('gives one key to the spellings of one repository', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9-]{1,10}$/),
        fc.stringMatching(/^[a-z0-9-]{1,10}$/),
        fc.boolean(),
        fc.boolean(),
        (owner, name, dotGit, slash) => {
          const url = `https://GIT.example.com/${owner}/${name}${
            dotGit ? '.git' : ''
          }${slash && !dotGit ? '/' : ''}`;
          expect(repoKey(url)).toBe(`https://git.example.com/${owner}/${name}`);
          expect(gitopsScopeOfUrl(url)).toBe(gitopsScope(`${owner}/${name}`));
        },
      ),
    );
  });
});

describe('cache scopes and signal channels', () => {
  it('are spelled in one place', () => {
    expect(gitopsScope('Acme/GitOps')).toBe('gitops:acme/gitops');
    expect(ciScope('Acme/App')).toBe('ci:acme/app');
    expect(artifactsScope('Acme/App')).toBe('artifacts:acme/app');
    expect(qualityScope('acme_app')).toBe('quality:acme_app');
    expect(DELIVERY_SCOPE).toBe('delivery');
    expect(entitySignalChannel('component:default/app')).toBe(
      'slipway:entity:component:default/app',
    );
    expect(FLEET_SIGNAL_CHANNEL).toBe('slipway:fleet');
  });

  it('puts an app in apps/<app> by default', () => {
    expect(defaultGitopsPath('payments-api')).toBe('apps/payments-api');
    expect(() => defaultGitopsPath('../etc')).toThrow();
  });
});
