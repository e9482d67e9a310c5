import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Point the dev overlay at the image built from a commit',
    example: yaml.stringify({
      steps: [
        {
          id: 'set-image',
          action: 'slipway:kustomize:image:set',
          name: 'Set the dev image',
          input: {
            path: 'apps/payments-api/overlays/dev',
            name: 'harbor.example.com/acme/payments-api',
            newTag: '3f2c1b7e9d8a6c5b4a3f2e1d0c9b8a7f6e5d4c3b',
          },
        },
      ],
    }),
  },
  {
    description: 'Pin an image by digest, keeping its tag for people to read',
    example: yaml.stringify({
      steps: [
        {
          id: 'pin-image',
          action: 'slipway:kustomize:image:set',
          name: 'Pin the staging image',
          input: {
            path: 'apps/payments-api/overlays/staging',
            name: 'harbor.example.com/acme/payments-api',
            newTag: '3f2c1b7e9d8a6c5b4a3f2e1d0c9b8a7f6e5d4c3b',
            digest:
              'sha256:0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c',
          },
        },
      ],
    }),
  },
];
