import { describeWorkflows } from '../../support/workflow.cases.js';

describeWorkflows('the embedded broker and backend', () => ({}));
