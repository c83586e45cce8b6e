import { describeBrokerConformance } from '../../conformance/broker.conformance.js';
import { redisBroker } from './support/redis-env.js';

describeBrokerConformance('redis', (prefix) => redisBroker(prefix));
