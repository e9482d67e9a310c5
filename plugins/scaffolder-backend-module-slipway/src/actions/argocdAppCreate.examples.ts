import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Applications per environment and the team AppProject',
    example: yaml.stringify({
      steps: [
        {
          id: 'argocd',
          action: 'slipway:argocd:app:create',
          name: 'Generate the Argo CD Applications',
          input: {
            name: 'payments-api',
            owner: 'group:default/team-payments',
            repoUrl: 'https://github.com/acme/gitops.git',
            image: 'harbor.example.com/acme/payments-api',
            targetPath: 'gitops',
          },
        },
      ],
    }),
  },
  {
    description:
      'With pull request preview environments from a GitHub repository',
    example: yaml.stringify({
      steps: [
        {
          id: 'argocd',
          action: 'slipway:argocd:app:create',
          name: 'Generate the Argo CD Applications',
          input: {
            name: 'checkout-web',
            owner: 'group:default/team-checkout',
            repoUrl: 'https://github.com/acme/gitops.git',
            image: 'ghcr.io/acme/checkout-web',
            targetPath: 'gitops',
            previewEnvironments: true,
            previewProvider: 'github',
            previewRepository: 'acme/checkout-web',
          },
        },
      ],
    }),
  },
];
