import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'A rolling Deployment with the configured environments',
    example: yaml.stringify({
      steps: [
        {
          id: 'gitops',
          action: 'slipway:gitops:app:create',
          name: 'Generate the GitOps folder',
          input: {
            name: 'payments-api',
            image: 'harbor.example.com/acme/payments-api',
            targetPath: 'gitops',
          },
        },
      ],
    }),
  },
  {
    description: 'A canary Rollout with more replicas in prod',
    example: yaml.stringify({
      steps: [
        {
          id: 'gitops',
          action: 'slipway:gitops:app:create',
          name: 'Generate the GitOps folder',
          input: {
            name: 'checkout-web',
            image: 'ghcr.io/acme/checkout-web',
            strategy: 'canary',
            targetPath: 'gitops',
            ingressDomain: 'apps.acme.example',
            environments: [{ name: 'prod', replicas: 5 }],
          },
        },
      ],
    }),
  },
  {
    description:
      'A blue-green Rollout in a gitops/ folder of the service repository',
    example: yaml.stringify({
      steps: [
        {
          id: 'gitops',
          action: 'slipway:gitops:app:create',
          name: 'Generate the GitOps folder',
          input: {
            name: 'ledger',
            image: 'harbor.example.com/acme/ledger',
            strategy: 'blue-green',
            targetPath: 'service',
            gitopsPath: 'gitops',
          },
        },
      ],
    }),
  },
];
