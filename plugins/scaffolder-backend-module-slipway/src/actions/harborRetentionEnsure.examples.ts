import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

function example(
  description: string,
  input: Record<string, unknown>,
): TemplateExample {
  return {
    description,
    example: yaml.stringify({
      steps: [
        {
          id: 'harbor-retention',
          action: 'slipway:harbor:retention:ensure',
          name: 'Harbor retention policy',
          input,
        },
      ],
    }),
  };
}

export const examples: TemplateExample[] = [
  example(
    "The project's policy with the configured number of last pushed artifacts",
    { project: 'acme' },
  ),
  example('Keep the last 20 pushed, and run every night at 04:00', {
    project: 'acme',
    keepLastPushed: 20,
    schedule: '0 0 4 * * *',
  }),
];
