import { createControlPlane } from '../../../lib/control/control-plane.js';
import { describeControlPlaneConformance } from '../../conformance/control-plane.conformance.js';
import { deleteKeys, inspector, REDIS_URL } from './support/redis-env.js';

const prefixes = new Set<string>();

describeControlPlaneConformance('redis', (prefix) => {
  prefixes.add(prefix);
  return createControlPlane({ url: REDIS_URL, prefix, extra: { checkConfig: false } });
});

afterAll(async () => {
  const client = inspector();
  try {
    for (const prefix of prefixes) await deleteKeys(client, prefix);
  } finally {
    client.disconnect();
  }
});
