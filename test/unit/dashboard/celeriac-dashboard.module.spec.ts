import type { CanActivate } from '@nestjs/common';
import { CeleriacDashboardModule, TaskDefinitionError } from '../../../lib/index.js';

describe('CeleriacDashboardModule.forRoot', () => {
  it('refuses to mount without a guard unless public: true is set', () => {
    expect(() => CeleriacDashboardModule.forRoot({})).toThrow(TaskDefinitionError);
    expect(() => CeleriacDashboardModule.forRoot({})).toThrow(/needs a guard/);
    expect(() => CeleriacDashboardModule.forRoot({ public: false })).toThrow(/needs a guard/);
  });

  it('mounts with a guard, or explicitly public', () => {
    const guard: CanActivate = { canActivate: () => true };
    expect(CeleriacDashboardModule.forRoot({ guard }).controllers).toHaveLength(2);
    expect(CeleriacDashboardModule.forRoot({ public: true }).controllers).toHaveLength(2);
  });
});
