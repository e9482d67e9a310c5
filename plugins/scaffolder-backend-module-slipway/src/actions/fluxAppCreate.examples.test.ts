import { describeExamples } from '../__testUtils__/runExamples';
import { createFluxAppCreateAction } from './fluxAppCreate';

describeExamples(createFluxAppCreateAction());
