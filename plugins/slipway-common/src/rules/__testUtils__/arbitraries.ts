import fc from 'fast-check';
import { HealthStatus, ImageRef, LiveState, SyncStatus } from '../../state';

const hex = (length: number) =>
  fc.string({
    unit: fc.constantFrom(...'0123456789abcdef'.split('')),
    minLength: length,
    maxLength: length,
  });

/** Tricky repositories: registries with ports, nested paths, look-alikes. */
export const repositoryArb = fc.oneof(
  fc.constantFrom(
    'registry.example.com/acme/app',
    'registry.example.com:5000/acme/app',
    'localhost:5000/app',
    'app',
    'acme/app',
    'registry.example.com/acme/app-other',
    'REGISTRY.example.com/acme/app',
  ),
  fc.stringMatching(
    /^[a-z0-9]+(\.[a-z0-9]+)*(:[0-9]{1,5})?(\/[a-z0-9._-]+){1,3}$/,
  ),
);

/** Tags: git SHAs, numbers YAML reads as numbers, and the odd one. */
export const tagArb = fc.oneof(
  hex(40),
  fc.constantFrom('latest', '1.0', '1234', '0', 'v1.2.3', 'x'),
  fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,20}$/),
);

export const digestArb = hex(64).map(h => `sha256:${h}`);

export const imageArb: fc.Arbitrary<ImageRef> = fc.record(
  {
    repository: repositoryArb,
    tag: tagArb,
    digest: digestArb,
  },
  { requiredKeys: ['repository'] },
);

export const revisionArb = hex(40);

export const syncArb = fc.constantFrom<SyncStatus>(
  'Synced',
  'OutOfSync',
  'Unknown',
);
export const healthArb = fc.constantFrom<HealthStatus>(
  'Healthy',
  'Progressing',
  'Degraded',
  'Suspended',
  'Missing',
  'Unknown',
);

/** Times, including unreadable ones and equal ones. */
export const timeArb = fc.oneof(
  fc
    .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) })
    .map(ms => new Date(ms).toISOString()),
  fc.constantFrom('2026-01-01T00:00:00Z', 'not a date', ''),
);

export const operationArb: fc.Arbitrary<LiveState['operation']> = fc.option(
  fc.record(
    {
      phase: fc.constantFrom(
        'Running',
        'Terminating',
        'Succeeded',
        'Failed',
        'Error',
      ),
      finishedAt: timeArb,
    },
    { requiredKeys: ['phase'] },
  ),
  { nil: undefined },
) as fc.Arbitrary<LiveState['operation']>;

/** The way Argo CD lists a running image. */
export function liveReference(image: ImageRef): string {
  return `${image.repository}${image.tag ? `:${image.tag}` : ''}${
    image.digest ? `@${image.digest}` : ''
  }`;
}
