import { Document } from 'yaml';

/**
 * The source of templates/service/template.yaml, built as an object and
 * serialised with `yaml` (`yarn generate`); a test fails when the file is
 * stale.
 */

const LANGUAGES = ['typescript', 'python', 'go'] as const;

/**
 * The portal a generated template is for: the host of its own git server
 * (served under /git/, see docs/templates.md) and the default image registry.
 * Passed in by the generator's caller (the sandbox values live in the tests),
 * so no host or port is written into this module.
 */
export interface TemplatePortal {
  gitHost: string;
  registryHost: string;
  /** Base URL of the Argo CD UI the task's output links to. */
  argocdUrl: string;
}

const repo = '(parameters.repoUrl | parseRepoUrl)';
const inRepo = "parameters.gitopsLayout == 'in-repo'";
const github = "parameters.ciProvider == 'github-actions'";
/** Tasks created before the controller choice (no parameter) stay on Argo CD. */
const flux = "parameters.gitopsController == 'flux'";

const DNS_NAME = '^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$';
const ENTITY_REF =
  '^([a-zA-Z]+:)?([a-z0-9][a-z0-9_.-]*/)?[a-z0-9][a-z0-9_.-]*$';

/** Expression: clone URL of the service repository (before it exists). */
const serviceCloneUrl = (gitHost: string) =>
  `(('http://' + ${repo}.host + '/git/') if ${repo}.host == '${gitHost}' ` +
  `else ('https://' + ${repo}.host + '/')) + ${repo}.owner + '/' + ${repo}.repo + '.git'`;

/** Expression: clone URL returned by the publish step. */
const publishedUrl = `(steps['publish-github'].output.remoteUrl if ${github} else steps['publish-gitlab'].output.remoteUrl)`;

function serviceTemplate(portal: TemplatePortal): Record<string, unknown> {
  const values: Record<string, unknown> = {
    name: '${{ parameters.name }}',
    description: '${{ parameters.description }}',
    owner: '${{ parameters.owner }}',
    system: '${{ parameters.system }}',
    language: '${{ parameters.language }}',
    ciProvider: '${{ parameters.ciProvider }}',
    repoSlug: `\${{ ${repo}.owner }}/\${{ ${repo}.repo }}`,
    registry: '${{ parameters.registry }}',
    registryHost: '${{ parameters.registryHost }}',
    registryNamespace: '${{ parameters.registryNamespace }}',
    cloudRegion: '${{ parameters.cloudRegion }}',
    image:
      '${{ parameters.registryHost }}/${{ parameters.registryNamespace }}/${{ parameters.name }}',
    strategy: '${{ parameters.strategy }}',
    gitopsLayout: '${{ parameters.gitopsLayout }}',
    gitopsController: `\${{ 'flux' if ${flux} else 'argocd' }}`,
    gitopsRepoUrl: `\${{ (${serviceCloneUrl(
      portal.gitHost,
    )}) if ${inRepo} else parameters.gitopsRepoUrl }}`,
    gitopsRepoSlug:
      "${{ parameters.gitopsRepoUrl.split('/').slice(-2).join('/') | replace('.git', '') }}",
    gitopsPath: `\${{ 'gitops' if ${inRepo} else 'apps/' + parameters.name }}`,
    gitopsCheckoutPath: `\${{ '.' if ${inRepo} else 'gitops-repo' }}`,
    gitopsGitlabUrl: `\${{ '$CI_SERVER_URL/$CI_PROJECT_PATH.git' if ${inRepo} else parameters.gitopsRepoUrl }}`,
    gitopsCommitMode: '${{ parameters.gitopsCommitMode }}',
    gitopsDefaultBranch: 'main',
    previewEnvironments: '${{ parameters.previewEnvironments }}',
    // Tasks created before the parameter existed load-test staging.
    loadTestEnvironments:
      "${{ parameters.loadTestEnvironments or ['staging'] }}",
    sonarProjectKey: `\${{ ${repo}.owner }}_\${{ parameters.name }}`,
    defaultBranch: 'main',
    goModule: `\${{ ${repo}.host }}/\${{ ${repo}.owner }}/\${{ ${repo}.repo }}`,
  };

  const gitopsTarget = `\${{ 'service' if ${inRepo} else 'gitops' }}`;
  const gitopsPath = `\${{ 'gitops' if ${inRepo} else 'apps/' + parameters.name }}`;

  return {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: {
      name: 'slipway-service',
      title: 'Service (TypeScript, Python or Go)',
      description:
        'An HTTP service with a health endpoint and unit tests, a multi-stage Dockerfile, CI (GitHub Actions or GitLab CI: lint, tests, SonarQube, Trivy, gitleaks, SBOM, signed image pushed by git SHA, dev overlay update), Kustomize overlays, Argo CD Applications or Flux Kustomizations and a catalog entry.',
      tags: ['slipway', 'service', 'typescript', 'python', 'go'],
    },
    spec: {
      owner: 'group:default/platform-admins',
      type: 'service',
      parameters: [
        {
          title: 'Service',
          required: ['name', 'owner', 'language'],
          properties: {
            language: {
              title: 'Language',
              type: 'string',
              enum: [...LANGUAGES],
              enumNames: [
                'TypeScript (Node.js 22, node:test)',
                'Python 3.12 (standard library, unittest)',
                'Go 1.23 (net/http, go test)',
              ],
              default: 'typescript',
            },
            name: {
              title: 'Name',
              type: 'string',
              description:
                'Lower case letters, digits and "-", at most 40 characters (a DNS-1123 label: it names the repository, image, namespaces and Argo CD Applications or Flux Kustomizations)',
              pattern: DNS_NAME,
              maxLength: 40,
              'ui:autofocus': true,
            },
            description: {
              title: 'Description',
              type: 'string',
              description: 'One sentence about what the service does',
              maxLength: 300,
              default: '',
            },
            owner: {
              title: 'Owner',
              type: 'string',
              description:
                'Owning team; also names its Argo CD AppProject or Flux namespace',
              pattern: ENTITY_REF,
              'ui:field': 'OwnerPicker',
              'ui:options': { catalogFilter: { kind: 'Group' } },
            },
            system: {
              title: 'System',
              type: 'string',
              description: 'System the service belongs to (optional)',
              pattern: ENTITY_REF,
              'ui:field': 'EntityPicker',
              'ui:options': { catalogFilter: { kind: 'System' } },
            },
          },
        },
        {
          title: 'Repository and CI',
          required: ['repoUrl', 'ciProvider'],
          properties: {
            ciProvider: {
              title: 'CI provider',
              type: 'string',
              enum: ['github-actions', 'gitlab-ci'],
              enumNames: ['GitHub Actions', 'GitLab CI'],
              default: 'github-actions',
              description:
                'Also decides where the repository is published (GitHub or GitLab)',
            },
            repoUrl: {
              title: 'Repository',
              type: 'string',
              'ui:field': 'RepoUrlPicker',
              'ui:options': {
                allowedHosts: [portal.gitHost, 'github.com', 'gitlab.com'],
              },
            },
          },
        },
        {
          title: 'Delivery',
          required: [
            'registry',
            'registryHost',
            'registryNamespace',
            'strategy',
            'gitopsController',
            'gitopsLayout',
          ],
          properties: {
            registry: {
              title: 'Image registry',
              type: 'string',
              enum: ['harbor', 'ghcr', 'ecr', 'gar'],
              enumNames: [
                'Harbor',
                'GitHub Container Registry',
                'Amazon ECR',
                'Google Artifact Registry',
              ],
              default: 'harbor',
            },
            registryHost: {
              title: 'Registry host',
              type: 'string',
              description:
                'Harbor host, `ghcr.io`, `<account>.dkr.ecr.<region>.amazonaws.com` or `<region>-docker.pkg.dev`',
              pattern:
                '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?$',
              maxLength: 200,
              default: portal.registryHost,
            },
            registryNamespace: {
              title: 'Registry project / namespace',
              type: 'string',
              description:
                'Harbor project, GHCR owner, ECR prefix or `<project>/<repository>` in Artifact Registry (lower case)',
              pattern:
                '^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$',
              maxLength: 100,
              default: 'acme',
            },
            cloudRegion: {
              title: 'Cloud region (ECR, Artifact Registry)',
              type: 'string',
              pattern: '^([a-z]{2,}-[a-z]+[0-9]?(-[0-9])?)?$',
              maxLength: 30,
              default: '',
            },
            strategy: {
              title: 'Delivery strategy',
              type: 'string',
              enum: ['rolling', 'canary', 'blue-green'],
              enumNames: [
                'Rolling update (Deployment)',
                'Canary 5% → 25% → 100% with analysis (Argo Rollouts)',
                'Blue-green with a preview service (Argo Rollouts)',
              ],
              default: 'rolling',
            },
            gitopsController: {
              title: 'GitOps controller',
              type: 'string',
              enum: ['argocd', 'flux'],
              enumNames: ['Argo CD', 'Flux'],
              default: 'argocd',
              description:
                "Argo CD: an Application per environment and the team's AppProject. Flux: a Kustomization per environment, the team's GitRepository and service account, the cluster entry point",
            },
            gitopsLayout: {
              title: 'GitOps layout',
              type: 'string',
              enum: ['separate', 'in-repo'],
              enumNames: [
                'Separate GitOps repository',
                'gitops/ folder in the service repository',
              ],
              default: 'separate',
            },
            gitopsRepoUrl: {
              title: 'GitOps repository (clone URL)',
              type: 'string',
              description:
                'An existing GitOps repository (separate layout only)',
              pattern:
                '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9_.-]+)+\\.git$',
              maxLength: 300,
              default: `http://${portal.gitHost}/git/acme/gitops.git`,
            },
            gitopsCommitMode: {
              title: 'GitOps changes',
              type: 'string',
              enum: ['direct', 'pull-request'],
              enumNames: ['Direct commit', 'Pull request'],
              default: 'direct',
              description:
                'How scaffolding and CI write to the GitOps repository',
            },
            previewEnvironments: {
              title: 'Preview environment per pull request',
              type: 'boolean',
              default: false,
              description:
                'An Argo CD ApplicationSet (pull request generator) deploys each open pull request into its own namespace (Argo CD only; Flux has no pull request generator, so it is ignored there)',
            },
          },
        },
        {
          title: 'Secrets',
          properties: {
            secrets: {
              title: 'Secrets',
              type: 'string',
              enum: ['none', 'sops', 'sealed-secrets', 'external-secrets'],
              enumNames: [
                'None',
                'SOPS (age), encrypted in Git',
                'Sealed Secrets',
                'External Secrets with Vault',
              ],
              default: 'none',
              description:
                'What each overlay gets for the Secret `<name>-secrets`; no secret value is ever entered here (see docs/templates.md)',
            },
            sopsAgeRecipients: {
              title: 'age recipients per environment (SOPS only)',
              type: 'array',
              description:
                'One age public key (`age1…`) per environment; never a private key',
              default: [],
              items: {
                type: 'object',
                required: ['environment', 'recipient'],
                properties: {
                  environment: {
                    title: 'Environment',
                    type: 'string',
                    pattern: DNS_NAME,
                  },
                  recipient: {
                    title: 'age public key',
                    type: 'string',
                    pattern: '^age1[0-9a-z]{58}$',
                  },
                },
              },
            },
            vaultServer: {
              title: 'Vault address (External Secrets only)',
              type: 'string',
              description: 'e.g. `https://vault.example.com:8200`',
              pattern: '^(https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?)?$',
              maxLength: 200,
              default: '',
            },
          },
        },
        {
          title: 'Post-deploy verification',
          properties: {
            loadTestEnvironments: {
              title: 'K6 load test in',
              type: 'array',
              description:
                'Environments where the verification workflow runs `verification/load.js` after a deployment; smoke tests run in every environment (see docs/templates.md)',
              items: { type: 'string', pattern: DNS_NAME },
              uniqueItems: true,
              default: ['staging'],
            },
          },
        },
      ],
      steps: [
        {
          id: 'fetch-source',
          name: 'Source skeleton',
          action: 'fetch:template',
          input: {
            url: './skeletons/${{ parameters.language }}',
            targetPath: 'service',
            values,
          },
        },
        {
          id: 'fetch-shared',
          name: 'Catalog entry, docs, SonarQube settings',
          action: 'fetch:template',
          input: { url: './shared', targetPath: 'service', values },
        },
        {
          id: 'fetch-ci-github',
          name: 'GitHub Actions workflow',
          if: `\${{ ${github} }}`,
          action: 'fetch:template',
          input: { url: './ci/github', targetPath: 'service', values },
        },
        {
          id: 'fetch-ci-gitlab',
          name: 'GitLab CI pipeline',
          if: `\${{ not (${github}) }}`,
          action: 'fetch:template',
          input: { url: './ci/gitlab', targetPath: 'service', values },
        },
        {
          id: 'gitops',
          name: 'Kustomize base and overlays',
          action: 'slipway:gitops:app:create',
          input: {
            name: '${{ parameters.name }}',
            image: values.image,
            strategy: '${{ parameters.strategy }}',
            targetPath: gitopsTarget,
            gitopsPath,
            previewEnvironments: `\${{ parameters.previewEnvironments and not (${flux}) }}`,
          },
        },
        {
          id: 'secrets',
          name: 'Secrets per overlay',
          if: "${{ parameters.secrets and parameters.secrets != 'none' }}",
          action: 'slipway:secrets:create',
          input: {
            provider: '${{ parameters.secrets }}',
            name: '${{ parameters.name }}',
            owner: '${{ parameters.owner }}',
            targetPath: gitopsTarget,
            gitopsPath,
            // In-repo, the service repository is the GitOps repository and
            // needs its own creation rules; the shared one has them already.
            sopsConfig: `\${{ ${inRepo} }}`,
            ageRecipients: '${{ parameters.sopsAgeRecipients or [] }}',
            vaultServer: '${{ parameters.vaultServer }}',
          },
        },
        {
          // The first step that writes outside the workspace: a Harbor that
          // refuses fails the task before anything is published.
          id: 'harbor-retention',
          name: 'Harbor retention policy',
          if: "${{ parameters.registry == 'harbor' }}",
          action: 'slipway:harbor:retention:ensure',
          input: {
            // The Harbor project is the first segment; the rest is the
            // repository path inside it.
            project: "${{ parameters.registryNamespace.split('/')[0] }}",
          },
        },
        {
          id: 'publish-github',
          name: 'Publish to GitHub',
          if: `\${{ ${github} }}`,
          action: 'publish:github',
          input: {
            repoUrl: '${{ parameters.repoUrl }}',
            description: '${{ parameters.description }}',
            sourcePath: 'service',
            defaultBranch: 'main',
            repoVisibility: 'private',
          },
        },
        {
          id: 'publish-gitlab',
          name: 'Publish to GitLab',
          if: `\${{ not (${github}) }}`,
          action: 'publish:gitlab',
          input: {
            repoUrl: '${{ parameters.repoUrl }}',
            sourcePath: 'service',
            defaultBranch: 'main',
            repoVisibility: 'private',
          },
        },
        {
          id: 'argocd',
          name: 'Argo CD Applications and AppProject',
          if: `\${{ not (${flux}) }}`,
          action: 'slipway:argocd:app:create',
          input: {
            name: '${{ parameters.name }}',
            owner: '${{ parameters.owner }}',
            repoUrl: `\${{ ${publishedUrl} if ${inRepo} else parameters.gitopsRepoUrl }}`,
            image: values.image,
            targetPath: gitopsTarget,
            gitopsPath,
            projectsPath: `\${{ 'gitops/projects' if ${inRepo} else 'projects' }}`,
            previewEnvironments: '${{ parameters.previewEnvironments }}',
            previewProvider: `\${{ 'github' if ${github} else 'gitlab' }}`,
            previewRepository: `\${{ ${repo}.owner }}/\${{ ${repo}.repo }}`,
          },
        },
        {
          id: 'flux',
          name: 'Flux Kustomizations, source and cluster entry point',
          if: `\${{ ${flux} }}`,
          action: 'slipway:flux:app:create',
          input: {
            name: '${{ parameters.name }}',
            owner: '${{ parameters.owner }}',
            repoUrl: `\${{ ${publishedUrl} if ${inRepo} else parameters.gitopsRepoUrl }}`,
            targetPath: gitopsTarget,
            gitopsPath,
            fluxPath: `\${{ 'gitops/flux' if ${inRepo} else 'flux' }}`,
            // One GitRepository per repository in the team's namespace: the
            // shared GitOps repository, or the service's own.
            sourceName: `\${{ parameters.name if ${inRepo} else 'gitops' }}`,
            strategy: '${{ parameters.strategy }}',
            sopsDecryption: "${{ parameters.secrets == 'sops' }}",
          },
        },
        {
          id: 'gitops-commit',
          name: 'Commit to the GitOps repository',
          action: 'slipway:gitops:commit',
          input: {
            repoUrl: `\${{ ${publishedUrl} if ${inRepo} else parameters.gitopsRepoUrl }}`,
            name: '${{ parameters.name }}',
            sourcePath: gitopsTarget,
            gitopsPath,
            extraPaths: `\${{ [] if ${inRepo} else (['flux'] if ${flux} else ['projects']) }}`,
            mode: `\${{ 'direct' if ${inRepo} else parameters.gitopsCommitMode }}`,
            commitMessage: 'Add ${{ parameters.name }} (scaffolded by Slipway)',
          },
        },
        {
          id: 'register',
          name: 'Register in the catalog',
          action: 'catalog:register',
          input: {
            repoContentsUrl: `\${{ steps['publish-github'].output.repoContentsUrl if ${github} else steps['publish-gitlab'].output.repoContentsUrl }}`,
            catalogInfoPath: '/catalog-info.yaml',
          },
        },
      ],
      output: {
        // Links whose URL renders empty (no pull request in direct mode) are
        // not shown by the scaffolder.
        links: [
          {
            title: 'Open in catalog',
            icon: 'catalog',
            entityRef: '${{ steps.register.output.entityRef }}',
          },
          {
            title: 'Deploy tab',
            icon: 'dashboard',
            url: '/catalog/default/component/${{ parameters.name }}/deploy',
          },
          {
            title: 'Argo CD applications',
            url: `\${{ '' if ${flux} else '${portal.argocdUrl}/applications?labels=slipway.dev%2Fapp%3D' + parameters.name }}`,
          },
          {
            title: 'Source repository',
            icon: 'github',
            url: `\${{ ${publishedUrl} }}`,
          },
          {
            title: 'GitOps repository',
            url: `\${{ ${publishedUrl} if ${inRepo} else parameters.gitopsRepoUrl }}`,
          },
          {
            title: 'GitOps pull request',
            url: `\${{ steps['gitops-commit'].output.pullRequestUrl }}`,
          },
        ],
        text: [
          {
            title: 'GitOps controller',
            content: `\${{ ('Flux Kustomizations: ' + (steps.flux.output.kustomizations | join(", ")) + ' in namespace ' + steps.flux.output.namespace + ', cluster ' + steps.flux.output.cluster) if ${flux} else ('Argo CD Applications: ' + (steps.argocd.output.applications | join(", ")) + ' in project ' + steps.argocd.output.project) }}. GitOps commit: \${{ steps["gitops-commit"].output.commitSha }}`,
          },
        ],
      },
    },
  };
}

export function serviceTemplateYaml(portal: TemplatePortal): string {
  const header =
    '# Generated from plugins/scaffolder-backend-module-slipway/src/templates/serviceTemplates.ts\n' +
    '# (`yarn generate` in that package). Do not edit by hand.\n';
  return (
    header +
    new Document(serviceTemplate(portal), { anchorPrefix: 'values' }).toString({
      lineWidth: 0,
    })
  );
}
