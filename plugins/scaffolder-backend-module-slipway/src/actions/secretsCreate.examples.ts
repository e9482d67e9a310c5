import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/**
 * Public age keys of the examples: valid X25519 recipients whose private
 * keys were discarded when they were made, so nothing can decrypt for them.
 */
export const EXAMPLE_AGE_RECIPIENTS = {
  dev: 'age16n839z7adxx7shj4x6f4f3df0ylh7sdru92m09zr0ey4sz0dya2qupxedm',
  staging: 'age1t6dxwu9xcth4pdspq59lq3ah3lmtlae6lt6npnwnmn9ulwt6carq2u7qaf',
  prod: 'age1qjs7gtvyjce0arlm25qwwwlung4c2dec4m7t08c74u4ssdr08u9sgtpyzj',
};

const recipients = Object.entries(EXAMPLE_AGE_RECIPIENTS).map(
  ([environment, recipient]) => ({ environment, recipient }),
);

export const examples: TemplateExample[] = [
  {
    description:
      'Sealed Secrets: a strict-scope SealedSecret in every overlay of an app',
    example: yaml.stringify({
      steps: [
        {
          id: 'secrets',
          action: 'slipway:secrets:create',
          name: 'Secrets',
          input: {
            provider: 'sealed-secrets',
            name: 'payments-api',
            owner: 'group:default/team-payments',
          },
        },
      ],
    }),
  },
  {
    description:
      'External Secrets with Vault: a SecretStore and an ExternalSecret per overlay',
    example: yaml.stringify({
      steps: [
        {
          id: 'secrets',
          action: 'slipway:secrets:create',
          name: 'Secrets',
          input: {
            provider: 'external-secrets',
            name: 'payments-api',
            owner: 'group:default/team-payments',
            vaultServer: 'https://vault.example.com:8200',
          },
        },
      ],
    }),
  },
  {
    description:
      "SOPS in a service repository: an example per overlay and the repository's .sops.yaml",
    example: yaml.stringify({
      steps: [
        {
          id: 'secrets',
          action: 'slipway:secrets:create',
          name: 'Secrets',
          input: {
            provider: 'sops',
            name: 'payments-api',
            owner: 'group:default/team-payments',
            sopsConfig: true,
            ageRecipients: recipients,
          },
        },
      ],
    }),
  },
  {
    description: 'SOPS creation rules of a GitOps repository (no application)',
    example: yaml.stringify({
      steps: [
        {
          id: 'secrets',
          action: 'slipway:secrets:create',
          name: 'SOPS creation rules',
          input: {
            provider: 'sops',
            sopsConfig: true,
            ageRecipients: recipients,
          },
        },
      ],
    }),
  },
];
