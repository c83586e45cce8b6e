export { CeleriacModule } from './celeriac.module.js';
export type { CeleriacModuleExtras } from './celeriac.module-definition.js';
export type { CeleriacModuleOptions, QueueOptions } from './celeriac-options.interface.js';
export { CeleriacRuntime } from './celeriac.runtime.js';
export { Task } from './decorators/task.decorator.js';
export type { TaskOptions, BackoffOptions } from './decorators/task-options.interface.js';
export { TaskRegistry } from './discovery/task.registry.js';
export type { TaskDefinition } from './discovery/task-definition.js';
export { TaskClient } from './client/task.client.js';
export { TaskHandle, type WaitOptions } from './client/task.handle.js';
export type { SendOptions } from './client/send-options.interface.js';
export { Accepted } from './http/accepted.decorator.js';
export { AcceptedInterceptor, type AcceptedBody } from './http/accepted.interceptor.js';
export type { TaskStatusView } from './http/task-status.view.js';
export { CeleriacWorker } from './worker/celeriac.worker.js';
export type { CeleriacWorkerOptions } from './worker/celeriac-worker-options.interface.js';
export { currentTask, type TaskContext } from './worker/task-context.js';
export type { TaskLog } from './logging/task-log.js';
export { TaskEvents, type TaskEvent, type TaskEventType } from './worker/task-events.js';
export type { Pool, PoolKind, TaskInvocation } from './worker/pools/pool.interface.js';
export { isPoolChild } from './worker/pools/pool-child-marker.js';
export { PoolChildError } from './worker/pools/pool-child.error.js';
export { TaskState } from './backends/task-state.js';
export type { TaskRecord, TaskErrorInfo } from './backends/task-record.js';
export type { ResultBackend } from './backends/result-backend.interface.js';
export type {
  BatchMessage,
  Broker,
  CompanionWrite,
  Delivery,
  PublishOptions,
  DeadLetter,
} from './brokers/broker.interface.js';
export { PROTOCOL_VERSION, type TaskEnvelope } from './protocol/task-envelope.js';
export type { JsonValue } from './protocol/json-value.js';
export { SIGNATURE_HEADER, type SigningOptions } from './protocol/message-signer.js';
export { redactUrl } from './brokers/broker-url.js';
export type { TlsOptions } from './brokers/tls-options.js';
export { CeleriacError } from './errors/celeriac.error.js';
export { NonRetryableError } from './errors/non-retryable.error.js';
export { RetryRequest } from './errors/retry-request.error.js';
export { TaskFailedError } from './errors/task-failed.error.js';
export { WaitTimeoutError } from './errors/wait-timeout.error.js';
export { ClientClosedError } from './errors/client-closed.error.js';
export { ResultIgnoredError } from './errors/result-ignored.error.js';
export { UnknownTaskError } from './errors/unknown-task.error.js';
export { BatchItemError } from './errors/batch-item.error.js';
export { InvalidArgumentsError } from './errors/invalid-arguments.error.js';
export { InvalidEnvelopeError } from './errors/invalid-envelope.error.js';
export { PayloadTooLargeError } from './errors/payload-too-large.error.js';
export { CorruptRecordError } from './errors/corrupt-record.error.js';
export { BrokerUnavailableError } from './errors/broker-unavailable.error.js';
export { BrokerUnreachableError } from './errors/broker-unreachable.error.js';
export { BrokerAuthenticationError } from './errors/broker-authentication.error.js';
export { MissingPeerError } from './errors/missing-peer.error.js';
export { TimeLimitExceededError } from './errors/time-limit-exceeded.error.js';
export { TaskDefinitionError } from './errors/task-definition.error.js';
export { TaskRevokedError } from './errors/task-revoked.error.js';
export { Signature, sig, si, sigByName, type SignatureOptions } from './canvas/signature.js';
export { chain, chord, group, type Chain, type Chord, type Group, type CanvasNode } from './canvas/canvas.js';
export type { TaskFailureInfo } from './canvas/workflow-step.js';
export { GroupHandle } from './client/group.handle.js';
export type { ChainHandle } from './client/task.client.js';
export type {
  WorkflowStore,
  GroupMemberOutcome,
  GroupProgress,
} from './backends/workflow-store.interface.js';
export { Scheduler, type RunningBeat } from './scheduler/scheduler.service.js';
export type { ScheduleOptions, ScheduleSpec } from './scheduler/schedule-options.interface.js';
export type { ScheduleInfo } from './scheduler/schedule-info.js';
export type { ScheduleDefinition, ScheduleOrigin } from './scheduler/schedule-definition.js';
export type { Clock, ClockTimer } from './scheduler/clock.js';
export { CELERIAC_CLOCK } from './celeriac.constants.js';
export { InvalidScheduleError } from './errors/invalid-schedule.error.js';
export { UnknownScheduleError } from './errors/unknown-schedule.error.js';
export type {
  ScheduleStore,
  StoredSchedule,
  ScheduleFire,
  PendingFire,
  ClaimRequest,
  ClaimOutcome,
  ScheduleChange,
} from './backends/schedule-store.interface.js';
export { CeleriacHealthModule, type CeleriacHealthModuleOptions } from './health/celeriac-health.module.js';
export {
  CeleriacHealth,
  type CeleriacHealthReport,
  type PartHealth,
  type HealthStatus,
} from './health/celeriac-health.js';
export type { ConsumersHealth, QueueConsumerHealth } from './health/consumers-health.js';
export { CeleriacHealthIndicator, type CeleriacIndicatorResult } from './health/celeriac-health.indicator.js';
export { CeleriacMetricsModule } from './metrics/celeriac-metrics.module.js';
export { CeleriacMetrics } from './metrics/celeriac-metrics.js';
export type { CeleriacMetricsOptions } from './metrics/celeriac-metrics.options.js';
export { CeleriacControl, type RevokeOptions } from './control/celeriac-control.service.js';
export { CeleriacEvents, type CeleriacEventListener } from './control/celeriac-events.service.js';
export type { EventFilter } from './control/event-filter.js';
export type { ControlCallOptions } from './control/control-client.js';
export type { ControlReply } from './control/control-message.js';
export type {
  ControlCommands,
  ControlCommandName,
  HeldTaskInfo,
  RegisteredTaskInfo,
  WorkerStats,
  WorkerConf,
} from './control/control-commands.js';
export type {
  CeleriacEvent,
  CeleriacEventType,
  CeleriacTaskEvent,
  WorkerEvent,
  WorkerEventType,
  WorkerQueueState,
  EventOrigin,
} from './control/celeriac-event.js';
export { isWorkerEvent } from './control/celeriac-event.js';
export { WorkerRegistry, type WorkerInfo, MISSED_BEATS_BEFORE_LOST } from './control/worker-registry.js';
export { ControlTimeoutError } from './errors/control-timeout.error.js';
export { InvalidControlMessageError } from './errors/invalid-control-message.error.js';
export { CeleriacDashboardModule } from './dashboard/celeriac-dashboard.module.js';
export type { CeleriacDashboardOptions } from './dashboard/dashboard-options.js';
export { DashboardService, type DashboardOverview, type TaskDetail } from './dashboard/dashboard.service.js';
export type { TaskSummary, TimelineEntry, TaskFilter } from './dashboard/task-history.js';
