import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

function example(description: string, input: Record<string, unknown>) {
  return {
    description,
    example: yaml.stringify({
      steps: [
        {
          id: 'terraform',
          action: 'slipway:terraform:create',
          name: 'Terraform',
          input,
        },
      ],
    }),
  };
}

export const examples: TemplateExample[] = [
  example('S3 state, GitHub Actions', {
    backend: 's3',
    stateBucket: 'acme-terraform-state',
    stateRegion: 'eu-west-1',
    stateKeyPrefix: 'gitops',
  }),
  example('GCS state, GitLab CI', {
    backend: 'gcs',
    stateBucket: 'acme-terraform-state',
    stateKeyPrefix: 'gitops',
    ciProvider: 'gitlab-ci',
  }),
  example('Azure storage state, two environments', {
    backend: 'azurerm',
    stateBucket: 'tfstate',
    azureResourceGroup: 'rg-platform',
    azureStorageAccount: 'acmetfstate',
    stateKeyPrefix: 'gitops',
    environments: ['staging', 'prod'],
  }),
  example('GitLab-managed state (http backend), GitLab CI', {
    backend: 'http',
    httpAddress: 'https://gitlab.com/api/v4/projects/1234/terraform/state',
    stateKeyPrefix: 'gitops',
    ciProvider: 'gitlab-ci',
  }),
];
