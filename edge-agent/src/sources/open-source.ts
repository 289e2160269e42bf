import { join } from 'node:path';
import type { SourceConfig } from '../config/agent-config.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { SimulatedWorkshop } from './simulated-workshop.js';
import type { Source } from './source.js';

export interface OpenSourceContext {
  deviceId: string;
  logger?: Logger;
  /** Where sources that keep a position (CSV replay) save it; none means they start over on restart. */
  stateDir?: string;
}

/**
 * The source a source configuration describes. Rejects with an Error saying what is wrong
 * (e.g. an unreadable CSV file).
 *
 * Each kind but `simulated` is loaded on first use (dynamic import), so an agent pays in memory
 * only for the kinds its configuration names: `command` alone brings in `node:child_process`,
 * `modbus` `node:net` sockets of its own (see the Footprint section of the README).
 */
export async function openSource(config: SourceConfig, ctx: OpenSourceContext): Promise<Source> {
  const logger = ctx.logger ?? silentLogger;
  switch (config.kind) {
    case 'simulated':
      return new SimulatedWorkshop({ name: config.name === 'simulated-0' ? ctx.deviceId : config.name, seed: config.seed, metrics: config.metrics });
    case 'csv': {
      const { CsvReplaySource } = await import('./csv-replay.js');
      return new CsvReplaySource({
        name: config.name,
        file: config.file,
        speed: config.speed,
        loop: config.loop,
        timestamps: config.timestamps,
        ...(config.metric !== undefined ? { metric: config.metric } : {}),
        ...(ctx.stateDir ? { stateFile: join(ctx.stateDir, `${ctx.deviceId}.${config.name}.position.json`) } : {}),
      });
    }
    case 'command': {
      const { CommandSource } = await import('./command-source.js');
      return new CommandSource({ name: config.name, command: config.command, format: config.format, timeoutMs: config.timeoutMs, prefix: config.prefix });
    }
    case 'http': {
      const { HttpJsonSource } = await import('./http-json-source.js');
      return new HttpJsonSource({ name: config.name, url: config.url, metrics: config.metrics, headers: config.headers, timeoutMs: config.timeoutMs, logger });
    }
    case 'host': {
      const { HostMetricsSource } = await import('./host-metrics.js');
      return new HostMetricsSource({ name: config.name, prefix: config.prefix, disks: config.disks });
    }
    case 'modbus': {
      const [{ ModbusSource }, { ModbusTcpClient }] = await Promise.all([import('./modbus-source.js'), import('./modbus-tcp-client.js')]);
      return new ModbusSource({ name: config.name, unitId: config.unitId, registers: config.registers, logger, client: new ModbusTcpClient({ host: config.host, port: config.port, timeoutMs: config.timeoutMs }) });
    }
  }
}
