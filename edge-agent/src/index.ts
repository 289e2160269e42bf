// The public surface of @opsroom/edge-agent.
export { startAgent, openOutbox, openSource } from './agent.js';
export type { AgentOptions, AgentStats, RunningAgent } from './agent.js';

export { AGENT_DEFAULTS, AgentConfigError, loadAgentConfig, parseAgentConfig, resolveAgentConfig } from './config/agent-config.js';
export type { AgentConfig, AgentConfigInput, SimulatedSourceConfig, SourceConfig } from './config/agent-config.js';

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
