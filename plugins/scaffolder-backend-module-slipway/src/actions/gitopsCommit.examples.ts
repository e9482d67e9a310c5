import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Commit the generated GitOps folder straight to the default branch',
    example: yaml.stringify({
      steps: [
        {
          id: 'gitops-commit',
          action: 'slipway:gitops:commit',
          name: 'Commit to the GitOps repository',
          input: {
            repoUrl: 'https://github.com/acme/gitops.git',
            name: 'payments-api',
            sourcePath: 'gitops',
          },
        },
      ],
    }),
  },
  {
    description: 'Open a pull request in the GitOps repository instead',
    example: yaml.stringify({
      steps: [
        {
          id: 'gitops-commit',
          action: 'slipway:gitops:commit',
          name: 'Propose the GitOps change',
          input: {
            repoUrl: 'https://github.com/acme/gitops.git',
            name: 'payments-api',
            sourcePath: 'gitops',
            mode: 'pull-request',
            commitMessage: 'Add payments-api',
          },
        },
      ],
    }),
  },
];
