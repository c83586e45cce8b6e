import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller.js';
import { ReportTasks } from './reports.tasks.js';

@Module({ providers: [ReportTasks], controllers: [ReportsController] })
export class ReportsModule {}
