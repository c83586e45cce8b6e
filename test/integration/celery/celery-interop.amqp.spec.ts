import { describeCeleryInterop } from './support/interop.cases.js';

const AMQP = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

describeCeleryInterop('RabbitMQ', AMQP, AMQP.replace(/^amqp:/, 'pyamqp:'));
