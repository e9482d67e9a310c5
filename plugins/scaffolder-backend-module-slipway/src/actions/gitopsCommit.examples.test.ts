import {
  describeExamples,
  prepareGitOpsApp,
} from '../__testUtils__/runExamples';
import { createGitOpsCommitAction } from './gitopsCommit';

// The examples need a remote; they run as a dry run here. The same action
// runs against a real git server in gitopsCommit.test.ts.
describeExamples(createGitOpsCommitAction(), {
  prepare: (workspace, input) => prepareGitOpsApp(workspace, input.sourcePath),
  dryRun: true,
});
