import { describeExamples } from '../__testUtils__/runExamples';
import { createGitOpsAppCreateAction } from './gitopsAppCreate';

describeExamples(createGitOpsAppCreateAction());
