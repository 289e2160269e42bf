import { describe, it, expect, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgentProcess } from './support/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'opsroom-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = async (args: string[]) => {
  const child = startAgentProcess(args);
  const code = await child.exited;
  return { code, out: child.output() };
};

describe('the opsroom-agent command', () => {
  it('prints its usage with --help', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/Usage:\n {2}opsroom-agent --config FILE/);
    expect(out).toMatch(/--status/);
  });

  it('refuses a bad configuration with exit code 2, naming the file, line and field', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'deviceId: d1\nsecret: s\nbrokerUrl: mqtt://127.0.0.1:1883\nsources:\n  - kind: modbus\n    host: plc\n    registers:\n      - { metric: t, address: -1 }\n',
    );
    const { code, out } = await run(['--config', file]);
    expect(code).toBe(2);
    expect(out).toContain(
      `opsroom-agent: bad configuration: ${file}:8: sources.0.registers.0.address: must be an integer >= 0 and <= 65535, got -1`,
    );
  });

  it('checks a good configuration and says when no agent has run with it', async () => {
    const file = join(dir, 'good.yaml');
    writeFileSync(
      file,
      'deviceId: d1\nsecret: s\nbrokerUrl: mqtt://127.0.0.1:1883\nbufferDir: ./buf\nsources:\n  - { kind: host, name: box }\n',
    );
    expect(await run(['--check', '--config', file])).toMatchObject({
      code: 0,
      out: expect.stringContaining('configuration is valid (1 source(s): box (host))'),
    });
    expect(await run(['--status', '--config', file])).toMatchObject({
      code: 3,
      out: expect.stringContaining('no status file at'),
    });
  });
});
