import { MemoryBackend } from '../../../lib/backends/memory/memory.backend.js';
import { describeScheduleStoreConformance } from '../../conformance/schedule-store.conformance.js';

describeScheduleStoreConformance('memory', (prefix) => new MemoryBackend({ url: 'memory://', prefix }));
