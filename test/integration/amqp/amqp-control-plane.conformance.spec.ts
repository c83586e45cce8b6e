import { createControlPlane } from '../../../lib/control/control-plane.js';
import { describeControlPlaneConformance } from '../../conformance/control-plane.conformance.js';
import { AMQP_URL } from './support/rabbit.js';

// Every queue of the control plane is exclusive and auto-deleted: nothing is left to clean up.
describeControlPlaneConformance('amqp', (prefix) => createControlPlane({ url: AMQP_URL, prefix }));
