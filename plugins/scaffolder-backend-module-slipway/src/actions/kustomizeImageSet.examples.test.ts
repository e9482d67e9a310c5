import {
  describeExamples,
  prepareGitOpsApp,
} from '../__testUtils__/runExamples';
import { createKustomizeImageSetAction } from './kustomizeImageSet';

describeExamples(createKustomizeImageSetAction(), {
  prepare: workspace => prepareGitOpsApp(workspace),
});
