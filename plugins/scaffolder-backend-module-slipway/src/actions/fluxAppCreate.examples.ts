import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Kustomizations per environment, the team's source and the cluster entry point",
    example: yaml.stringify({
      steps: [
        {
          id: 'flux',
          action: 'slipway:flux:app:create',
          name: 'Generate the Flux objects',
          input: {
            name: 'ledger-api',
            owner: 'group:default/team-payments',
            repoUrl: 'https://github.com/acme/gitops.git',
            targetPath: 'gitops',
            cluster: 'production',
          },
        },
      ],
    }),
  },
  {
    description: 'A canary service (the Rollout is health-checked)',
    example: yaml.stringify({
      steps: [
        {
          id: 'flux',
          action: 'slipway:flux:app:create',
          name: 'Generate the Flux objects',
          input: {
            name: 'checkout-web',
            owner: 'group:default/team-checkout',
            repoUrl: 'https://github.com/acme/gitops.git',
            targetPath: 'gitops',
            strategy: 'canary',
          },
        },
      ],
    }),
  },
];
