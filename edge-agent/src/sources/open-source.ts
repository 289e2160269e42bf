import { join } from 'node:path';
import type { SourceConfig } from '../config/agent-config.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { CommandSource } from './command-source.js';
import { CsvReplaySource } from './csv-replay.js';
import { HostMetricsSource } from './host-metrics.js';
import { HttpJsonSource } from './http-json-source.js';
import { ModbusSource } from './modbus-source.js';
import { ModbusTcpClient } from './modbus-tcp-client.js';
import { SimulatedWorkshop } from './simulated-workshop.js';
import type { Source } from './source.js';

export interface OpenSourceContext {
  deviceId: string;
  logger?: Logger;
  /** Where sources that keep a position (CSV replay) save it; none means they start over on restart. */
  stateDir?: string;
}

/** The source a source configuration describes. Throws an Error saying what is wrong (e.g. an unreadable CSV file). */
export function openSource(config: SourceConfig, ctx: OpenSourceContext): Source {
  const logger = ctx.logger ?? silentLogger;
  switch (config.kind) {
    case 'simulated':
      return new SimulatedWorkshop({ name: config.name === 'simulated-0' ? ctx.deviceId : config.name, seed: config.seed, metrics: config.metrics });
    case 'csv':
      return new CsvReplaySource({
        name: config.name,
        file: config.file,
        speed: config.speed,
        loop: config.loop,
        timestamps: config.timestamps,
        ...(config.metric !== undefined ? { metric: config.metric } : {}),
        ...(ctx.stateDir ? { stateFile: join(ctx.stateDir, `${ctx.deviceId}.${config.name}.position.json`) } : {}),
      });
    case 'command':
      return new CommandSource({ name: config.name, command: config.command, format: config.format, timeoutMs: config.timeoutMs, prefix: config.prefix });
    case 'http':
      return new HttpJsonSource({ name: config.name, url: config.url, metrics: config.metrics, headers: config.headers, timeoutMs: config.timeoutMs, logger });
    case 'host':
      return new HostMetricsSource({ name: config.name, prefix: config.prefix, disks: config.disks });
    case 'modbus':
      return new ModbusSource({ name: config.name, unitId: config.unitId, registers: config.registers, logger, client: new ModbusTcpClient({ host: config.host, port: config.port, timeoutMs: config.timeoutMs }) });
  }
}
