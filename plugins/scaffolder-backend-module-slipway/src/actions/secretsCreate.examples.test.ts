import {
  describeExamples,
  prepareGitOpsApp,
} from '../__testUtils__/runExamples';
import { createSecretsCreateAction } from './secretsCreate';

describeExamples(createSecretsCreateAction(), {
  prepare: async (workspace, input) => {
    if (input.name) await prepareGitOpsApp(workspace);
  },
});
