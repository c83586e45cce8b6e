import { AmqpBroker } from '../../../lib/brokers/amqp/amqp.broker.js';
import { describeBrokerConformance } from '../../conformance/broker.conformance.js';
import { AMQP_URL, deleteByPrefix } from './support/rabbit.js';

describeBrokerConformance('amqp (classic queues)', (prefix) => new AmqpBroker({ url: AMQP_URL, prefix }), {
  reportsInFlight: false,
});

// The suite purges what it used; the queues and exchanges themselves go here.
afterAll(() => deleteByPrefix('celeriac-conformance-'), 120_000);
