import { describe, it, expect } from '@jest/globals';
import {
  allDevicesFilter,
  DEVICE_CHANNELS,
  DEVICE_ID_PATTERN,
  DEVICE_PUBLISH_CHANNELS,
  DEVICE_SUBSCRIBE_CHANNELS,
  deviceTopic,
  parseDeviceTopic,
  TOPIC_ROOT,
} from './topics.js';

describe('TOPIC_ROOT and the channel lists', () => {
  it('roots every device topic at opsroom/v1/devices', () => {
    expect(TOPIC_ROOT).toBe('opsroom/v1/devices');
  });

  it('names exactly four channels: readings, status, commands, rejects', () => {
    expect([...DEVICE_CHANNELS]).toEqual(['readings', 'status', 'commands', 'rejects']);
  });

  it('lets devices publish to readings and status and only subscribe to commands and rejects', () => {
    expect([...DEVICE_PUBLISH_CHANNELS]).toEqual(['readings', 'status']);
    expect([...DEVICE_SUBSCRIBE_CHANNELS]).toEqual(['commands', 'rejects']);
  });

  it('splits the channels into publish and subscribe sets with no overlap and nothing left out', () => {
    const both = [...DEVICE_PUBLISH_CHANNELS, ...DEVICE_SUBSCRIBE_CHANNELS].sort();
    expect(both).toEqual([...DEVICE_CHANNELS].sort());
    expect(new Set(both).size).toBe(DEVICE_CHANNELS.length);
  });
});

describe('deviceTopic', () => {
  it('builds the readings topic of a device', () => {
    expect(deviceTopic('taller-1-plc', 'readings')).toBe('opsroom/v1/devices/taller-1-plc/readings');
  });

  it('builds the topic of every channel', () => {
    expect(deviceTopic('d1', 'status')).toBe('opsroom/v1/devices/d1/status');
    expect(deviceTopic('d1', 'commands')).toBe('opsroom/v1/devices/d1/commands');
    expect(deviceTopic('d1', 'rejects')).toBe('opsroom/v1/devices/d1/rejects');
  });

  it('accepts ids made of letters, digits, dots, underscores and dashes', () => {
    expect(deviceTopic('A.b_c-9', 'readings')).toBe('opsroom/v1/devices/A.b_c-9/readings');
  });

  it('accepts a 64-character id and refuses a 65-character one', () => {
    const id64 = 'a'.repeat(64);
    expect(deviceTopic(id64, 'readings')).toBe(`opsroom/v1/devices/${id64}/readings`);
    expect(() => deviceTopic('a'.repeat(65), 'readings')).toThrow(/invalid device id/);
  });

  it.each([
    ['an empty id', ''],
    ['the single-level wildcard', '+'],
    ['the multi-level wildcard', '#'],
    ['a wildcard inside the id', 'd+1'],
    ['a level separator', 'd1/readings'],
    ['a space', 'd 1'],
    ['a leading dot', '.d1'],
    ['a leading dash', '-d1'],
    ['a leading underscore', '_d1'],
    ['a trailing newline', 'd1\n'],
    ['a non-ASCII letter', 'tallér'],
    ['a NUL character', 'd\u00001'],
  ])('throws for %s', (_label, id) => {
    expect(() => deviceTopic(id, 'readings')).toThrow(`invalid device id ${JSON.stringify(id)}`);
  });
});

describe('allDevicesFilter', () => {
  it('uses a single-level wildcard in the device level', () => {
    expect(allDevicesFilter('readings')).toBe('opsroom/v1/devices/+/readings');
    expect(allDevicesFilter('status')).toBe('opsroom/v1/devices/+/status');
  });

  it('is the same topic as deviceTopic with the id replaced by +', () => {
    for (const channel of DEVICE_CHANNELS) {
      expect(allDevicesFilter(channel)).toBe(deviceTopic('x', channel).replace('/x/', '/+/'));
    }
  });
});

describe('parseDeviceTopic', () => {
  it('splits a readings topic into device id and channel', () => {
    expect(parseDeviceTopic('opsroom/v1/devices/d1/readings')).toEqual({ deviceId: 'd1', channel: 'readings' });
  });

  it('answers a repeated topic with the same frozen object, and a repeated bad topic with null again', () => {
    const a = parseDeviceTopic('opsroom/v1/devices/rep-1/status');
    expect(parseDeviceTopic('opsroom/v1/devices/rep-1/status')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(parseDeviceTopic('opsroom/v1/devices/rep-1/bogus')).toBeNull();
    expect(parseDeviceTopic('opsroom/v1/devices/rep-1/bogus')).toBeNull();
  });

  it('stays correct past its cache bound (junk topics cannot grow it without limit)', () => {
    for (let i = 0; i < 70_000; i++) expect(parseDeviceTopic(`opsroom/v1/devices/junk-${i}/x`)).toBeNull();
    expect(parseDeviceTopic('opsroom/v1/devices/after-1/readings')).toEqual({
      deviceId: 'after-1',
      channel: 'readings',
    });
  });

  it('round-trips every channel with deviceTopic', () => {
    for (const channel of DEVICE_CHANNELS) {
      for (const deviceId of ['d1', 'taller-1-plc', 'A.b_c-9', 'z'.repeat(64)]) {
        expect(parseDeviceTopic(deviceTopic(deviceId, channel))).toEqual({ deviceId, channel });
      }
    }
  });

  it.each([
    ['a subscription filter with +', 'opsroom/v1/devices/+/readings'],
    ['a subscription filter with #', 'opsroom/v1/devices/#'],
    ['a # in the channel level', 'opsroom/v1/devices/d1/#'],
    ['a + in the channel level', 'opsroom/v1/devices/d1/+'],
    ['an extra level after the channel', 'opsroom/v1/devices/d1/readings/extra'],
    ['a trailing slash', 'opsroom/v1/devices/d1/readings/'],
    ['a missing channel', 'opsroom/v1/devices/d1'],
    ['a missing channel with a trailing slash', 'opsroom/v1/devices/d1/'],
    ['an empty device level', 'opsroom/v1/devices//readings'],
    ['the bare root', 'opsroom/v1/devices'],
    ['the root with a slash', 'opsroom/v1/devices/'],
    ['an unknown channel', 'opsroom/v1/devices/d1/telemetry'],
    ['a channel in the wrong case', 'opsroom/v1/devices/d1/Readings'],
    ['another protocol version', 'opsroom/v2/devices/d1/readings'],
    ['a root that only starts like ours', 'opsroom/v1/devicesX/d1/readings'],
    ['a leading slash', '/opsroom/v1/devices/d1/readings'],
    ['an id with a leading dash', 'opsroom/v1/devices/-d1/readings'],
    ['an id of 65 characters', `opsroom/v1/devices/${'a'.repeat(65)}/readings`],
    ['an id with a space', 'opsroom/v1/devices/d 1/readings'],
    ['an empty topic', ''],
  ])('returns null for %s', (_label, topic) => {
    expect(parseDeviceTopic(topic)).toBeNull();
  });
});

describe('DEVICE_ID_PATTERN', () => {
  it('matches 1 to 64 characters starting with a letter or digit', () => {
    expect(DEVICE_ID_PATTERN.test('a')).toBe(true);
    expect(DEVICE_ID_PATTERN.test('9')).toBe(true);
    expect(DEVICE_ID_PATTERN.test('9'.repeat(64))).toBe(true);
    expect(DEVICE_ID_PATTERN.test('9'.repeat(65))).toBe(false);
    expect(DEVICE_ID_PATTERN.test('')).toBe(false);
  });
});
