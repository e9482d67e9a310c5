import { describeExamples } from '../__testUtils__/runExamples';
import { createArgoCdAppCreateAction } from './argocdAppCreate';

describeExamples(createArgoCdAppCreateAction());
