import { describeExamples } from '../__testUtils__/runExamples';
import { createTerraformCreateAction } from './terraformCreate';

describeExamples(createTerraformCreateAction());
