import { createControlPlane } from '../../../lib/control/control-plane.js';
import { describeControlPlaneConformance } from '../../conformance/control-plane.conformance.js';

describeControlPlaneConformance('memory', (prefix) => createControlPlane({ url: 'memory://', prefix }));
