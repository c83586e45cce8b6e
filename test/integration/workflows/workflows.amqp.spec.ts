import { describeWorkflows } from '../../support/workflow.cases.js';

describeWorkflows('RabbitMQ with results in Redis', () => ({
  broker: 'amqp://guest:guest@127.0.0.1:5672',
  backend: 'redis://127.0.0.1:6379',
}));
