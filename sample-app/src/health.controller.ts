import { Controller, Get } from '@nestjs/common';
import { CeleriacRuntime } from '../../lib/index.js';

@Controller()
export class HealthController {
  constructor(private readonly celeriac: CeleriacRuntime) {}

  @Get()
  health(): { name: string; broker: string; backend: string; tasks: string[] } {
    return {
      name: 'celeriac-sample',
      broker: this.celeriac.broker.kind,
      backend: this.celeriac.backend.kind,
      tasks: this.celeriac.registry.all().map((task) => task.name),
    };
  }
}
