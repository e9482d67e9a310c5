import { Entity } from '@backstage/catalog-model';
import { Sandbox } from '@slipway/sandbox';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';

const repoRoot = path.resolve(__dirname, '../../../..');

/**
 * The example catalog's components (examples/entities.yaml), pointed at a
 * sandbox running on ephemeral ports.
 */
export function sandboxEntities(sandbox: Sandbox): Entity[] {
  const text = fs.readFileSync(
    path.join(repoRoot, 'examples/entities.yaml'),
    'utf8',
  );
  const registryHost = new URL(sandbox.urls.harbor).host;
  return parseAllDocuments(text)
    .map(doc => doc.toJS() as Entity)
    .filter(entity => entity?.kind === 'Component')
    .map(entity => {
      const annotations = { ...entity.metadata.annotations };
      if (annotations['slipway.dev/gitops-repo']) {
        annotations[
          'slipway.dev/gitops-repo'
        ] = `${sandbox.urls.git}/acme/gitops.git`;
      }
      if (annotations['slipway.dev/image']) {
        annotations[
          'slipway.dev/image'
        ] = `${registryHost}/acme/${entity.metadata.name}`;
      }
      return { ...entity, metadata: { ...entity.metadata, annotations } };
    });
}

/**
 * Backend config that points Slipway's providers at the sandbox (its
 * sandbox-only credentials); `slipway` overrides keys of the `slipway` block.
 */
export function sandboxBackendConfig(
  sandbox: Sandbox,
  cacheDir: string,
  slipway: Record<string, unknown> = {},
) {
  const githubHost = new URL(sandbox.urls.github).host;
  return {
    integrations: {
      github: [
        {
          host: githubHost,
          apiBaseUrl: sandbox.urls.githubApi,
          token: 'sandbox-github-token',
        },
      ],
    },
    slipway: {
      argocd: {
        instances: [
          {
            name: 'sandbox',
            url: sandbox.urls.argocd,
            token: 'sandbox-argocd-token',
          },
        ],
      },
      harbor: {
        url: sandbox.urls.harbor,
        username: 'admin',
        password: 'sandbox-harbor-password',
      },
      sonarqube: {
        url: sandbox.urls.sonarqube,
        token: 'sandbox-sonarqube-token',
      },
      github: { host: githubHost },
      gitops: { cacheDir, minFetchIntervalMs: 0 },
      state: { sourceTimeoutMs: 3000, cacheTtlSeconds: 0 },
      ...slipway,
    },
  };
}
