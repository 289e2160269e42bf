// The public surface of @opsroom/edge-agent.
export { startAgent, openOutbox, redactUrl, tlsOptions } from './agent.js';
export type { AgentOptions, AgentStats, DirectiveAck, RunningAgent } from './agent.js';

export {
  AGENT_DEFAULTS,
  AgentConfigError,
  SOURCE_KINDS,
  loadAgentConfig,
  parseAgentConfig,
  resolveAgentConfig,
} from './config/agent-config.js';
export type {
  AgentConfig,
  AgentConfigInput,
  CommandSourceConfig,
  CsvSourceConfig,
  HostSourceConfig,
  HttpSourceConfig,
  ModbusSourceConfig,
  SimulatedSourceConfig,
  SourceConfig,
  SourceInput,
  SourceKind,
  TlsConfig,
} from './config/agent-config.js';

export { HEALTH_METRICS, healthReadings } from './health/health-readings.js';
export type { HealthCounters } from './health/health-readings.js';
export { formatStatus, isRunning, readStatusFile, statusFilePath, writeStatusFile } from './health/status-file.js';
export type { AgentStatus, SourceStatus } from './health/status-file.js';

export { openSource } from './sources/open-source.js';
export type { OpenSourceContext } from './sources/open-source.js';
export { CsvReplaySource, parseReplayCsv } from './sources/csv-replay.js';
export type { CsvReplayOptions, CsvRow } from './sources/csv-replay.js';
export { CommandSource } from './sources/command-source.js';
export type { CommandSourceOptions } from './sources/command-source.js';
export { parseCommandOutput } from './sources/parse-output.js';
export type { OutputFormat, ParsedValue } from './sources/parse-output.js';
export { HttpJsonSource } from './sources/http-json-source.js';
export type { HttpJsonSourceOptions } from './sources/http-json-source.js';
export { parseJsonPath, valueAt } from './sources/json-path.js';
export type { PathStep } from './sources/json-path.js';
export { HostMetricsSource, cpuPercent, parseCpuLine, parseMeminfo } from './sources/host-metrics.js';
export type { CpuTimes, HostMetricsOptions } from './sources/host-metrics.js';
export { MODBUS_EXCEPTIONS } from './sources/modbus-client.js';
export type { ModbusClient, RegisterTable } from './sources/modbus-client.js';
export { ModbusTcpClient, encodeReadRequest } from './sources/modbus-tcp-client.js';
export type { ModbusTcpClientOptions } from './sources/modbus-tcp-client.js';
export { ModbusSource, REGISTER_TYPES, decodeRegisters, planReads, registerWidth } from './sources/modbus-source.js';
export type { ModbusSourceOptions, RegisterDef, RegisterType } from './sources/modbus-source.js';
export { toMetricId, toValue } from './sources/metric-id.js';

export { isFaultable } from './sources/source.js';
export type { FaultableSource, Source } from './sources/source.js';
export { DEMO_WORKSHOP_METRICS, SimulatedWorkshop, seasonal } from './sources/simulated-workshop.js';
export type { SimulatedMetric, SimulatedWorkshopOptions } from './sources/simulated-workshop.js';
export { FAULT_KINDS, validateFault } from './sources/faults.js';
export type { Fault, FaultKind } from './sources/faults.js';
export { mulberry32 } from './sources/prng.js';

export { DEFAULT_OUTBOX_MAX_READINGS, OutboxClosedError } from './outbox/outbox.js';
export type { Outbox, OutboxBatch, OutboxOptions, OverflowPolicy } from './outbox/outbox.js';
export { MemoryOutbox } from './outbox/memory-outbox.js';
export { SqliteOutbox } from './outbox/sqlite-outbox.js';
export type { SqliteOutboxOptions } from './outbox/sqlite-outbox.js';

export { MqttPublisher } from './publish/mqtt-publisher.js';
export type { MqttPublisherOptions, PublisherStats } from './publish/mqtt-publisher.js';

export { jsonLineLogger, silentLogger } from './log/logger.js';
export type { Logger, LogLevel } from './log/logger.js';
