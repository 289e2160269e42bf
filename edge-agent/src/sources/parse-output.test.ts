import { describe, it, expect } from '@jest/globals';
import { parseCommandOutput } from './parse-output.js';
import { toMetricId, toValue } from './metric-id.js';
import { CommandSource } from './command-source.js';

describe('parseCommandOutput', () => {
  it('reads key=value and key: value lines, skipping comments, blanks and non-numbers', () => {
    expect(parseCommandOutput('# sensors\ntemp=21.5\nhumidity: 40 %\n\nstate=ok\ncpu.temp = 41 C\n')).toEqual([
      { metric: 'temp', value: 21.5 },
      { metric: 'humidity', value: 40 },
      { metric: 'cpu_temp', value: 41 },
    ]);
  });

  it('reads a JSON object, flattening nested keys, and an array of metric/value pairs', () => {
    expect(parseCommandOutput('{"ups":{"load":12,"online":true},"name":"x"}')).toEqual([
      { metric: 'ups_load', value: 12 },
      { metric: 'ups_online', value: 1 },
    ]);
    expect(parseCommandOutput('[{"metric":"a","value":"2.5"},{"metric":"b"}]', 'json')).toEqual([
      { metric: 'a', value: 2.5 },
    ]);
  });

  it('says what to print when JSON was expected and is not valid', () => {
    expect(() => parseCommandOutput('temp=1', 'json')).toThrow(
      /not valid JSON .*print a JSON object or key=value lines/,
    );
  });
});

describe('toMetricId and toValue', () => {
  it('make sensor keys and values acceptable', () => {
    expect(toMetricId('cpu.temp')).toBe('cpu_temp');
    expect(toMetricId('1min load')).toBe('m_1min_load');
    expect(toMetricId('x'.repeat(80))).toHaveLength(64);
    expect([toValue('21.5'), toValue(false), toValue(''), toValue('NaN'), toValue({})]).toEqual([
      21.5,
      0,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('CommandSource', () => {
  it('runs a shell command and stamps what it printed with the sample time, with the prefix', async () => {
    const s = new CommandSource({ name: 'c', command: 'echo temp=21.5; echo rpm: 1200', prefix: 'pump_' });
    expect(await s.sample(5000)).toEqual([
      { metric: 'pump_temp', value: 21.5, ts: 5000 },
      { metric: 'pump_rpm', value: 1200, ts: 5000 },
    ]);
  });

  it('runs a program without a shell when given a list', async () => {
    const s = new CommandSource({ name: 'c', command: ['/bin/echo', '{"a": 1}'] });
    expect(await s.sample(1)).toEqual([{ metric: 'a', value: 1, ts: 1 }]);
  });

  it('fails the sample with the command’s own words on a non-zero exit, a missing program or a timeout', async () => {
    await expect(
      new CommandSource({ name: 'c', command: 'echo "no sensor on bus" >&2; exit 3' }).sample(1),
    ).rejects.toThrow('command `echo "no sensor on bus" >&2; exit 3` exited with 3: no sensor on bus');
    await expect(new CommandSource({ name: 'c', command: ['/nonexistent/tool'] }).sample(1)).rejects.toThrow(
      /program not found/,
    );
    await expect(new CommandSource({ name: 'c', command: 'sleep 5', timeoutMs: 50 }).sample(1)).rejects.toThrow(
      /timed out after 50 ms/,
    );
  });
});
