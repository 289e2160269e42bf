import { resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { demoFlagsHelp, splitDemoFlags } from './demo-args.js';

describe('splitDemoFlags', () => {
  it('takes the demo flags out and leaves the server flags', () => {
    expect(
      splitDemoFlags(['--fault-every', '20', '--http-port', '0', '--faults-log=f.jsonl', '--agents-only'], {}),
    ).toEqual({
      demo: { agentsOnly: true, faultEverySec: 20, faultsLog: resolve('f.jsonl') },
      rest: ['--http-port', '0'],
    });
  });

  it("leaves the demo's defaults when neither flag nor environment says anything", () => {
    expect(splitDemoFlags([], {})).toEqual({ demo: { agentsOnly: false }, rest: [] });
  });

  it('reads OPSROOM_FAULT_EVERY and OPSROOM_FAULTS_LOG when the flags are absent; a flag wins', () => {
    const env = { OPSROOM_FAULT_EVERY: '0', OPSROOM_FAULTS_LOG: '/tmp/faults.jsonl' };
    expect(splitDemoFlags([], env).demo).toEqual({
      agentsOnly: false,
      faultEverySec: 0,
      faultsLog: '/tmp/faults.jsonl',
    });
    expect(splitDemoFlags(['--fault-every', '5'], env).demo.faultEverySec).toBe(5);
  });

  it('refuses a fault interval that is not a number of seconds >= 0, naming where it came from', () => {
    expect(() => splitDemoFlags(['--fault-every', '-1'], {})).toThrow(/--fault-every must be a number of seconds >= 0/);
    expect(() => splitDemoFlags([], { OPSROOM_FAULT_EVERY: 'often' })).toThrow(/OPSROOM_FAULT_EVERY must be/);
    expect(() => splitDemoFlags(['--faults-log'], {})).toThrow(/--faults-log needs a value/);
    expect(() => splitDemoFlags(['--agents-only=yes'], {})).toThrow(/takes no value/);
  });

  it('has help naming each flag and its environment variable', () => {
    const help = demoFlagsHelp();
    expect(help).toContain('--fault-every <value>');
    expect(help).toContain('env: OPSROOM_FAULT_EVERY');
    expect(help).toContain('--faults-log <value>');
    expect(help).toContain('env: OPSROOM_FAULTS_LOG');
    expect(help).toContain('--agents-only');
  });
});
