import { describeExamples } from '../__testUtils__/runExamples';
import { fakeHarbor } from '../__testUtils__/fakeHarbor';
import { createHarborRetentionEnsureAction } from './harborRetentionEnsure';

// The examples run against an in-memory Harbor; the same action runs
// against the sandbox's Harbor in packages/backend
// (src/__tests__/retentionTemplate.sandbox.test.ts).
describeExamples(
  createHarborRetentionEnsureAction({ harbor: fakeHarbor().client }),
);
