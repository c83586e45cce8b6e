import { Body, Controller, Post } from '@nestjs/common';
import { Accepted, TaskClient, type TaskHandle } from '../../../lib/index.js';
import { BuildReportDto } from './build-report.dto.js';
import { type BuiltReport, ReportTasks } from './reports.tasks.js';

@Controller('reports')
export class ReportsController {
  constructor(private readonly tasks: TaskClient) {}

  @Post()
  @Accepted()
  build(@Body() body: BuildReportDto): Promise<TaskHandle<BuiltReport>> {
    return this.tasks.send(ReportTasks, 'build', [body.pages, body.msPerPage ?? 500]);
  }
}
