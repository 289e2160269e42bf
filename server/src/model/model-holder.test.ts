import { describe, expect, it } from '@jest/globals';
import type { Model } from '@opsroom/models';
import { tinyModel } from '../../test/support/tiny-model.js';
import { ModelHolder } from './model-holder.js';

describe('ModelHolder', () => {
  it('puts a reloaded model in force and tells every subscriber, in order, with the previous one', () => {
    const first = tinyModel();
    const second = { ...tinyModel(), name: 'second' };
    const holder = new ModelHolder(first);
    const heard: string[] = [];
    holder.subscribe((next, prev) => heard.push(`a:${prev.name}->${next.name}`));
    holder.subscribe((next) => heard.push(`b:${next.name}:${holder.current().name}`));
    holder.replace(second);
    expect(holder.current()).toBe(second);
    expect(heard).toEqual(['a:tiny->second', 'b:second:second']);
  });

  it('keeps telling the others when one subscriber throws, and logs it', () => {
    const errors: string[] = [];
    const log = { debug() {}, info() {}, warn() {}, error: (_o: object, msg: string) => errors.push(msg) };
    const holder = new ModelHolder(tinyModel(), log);
    const got: Model[] = [];
    holder.subscribe(() => {
      throw new Error('boom');
    });
    holder.subscribe((next) => got.push(next));
    const next = tinyModel();
    holder.replace(next);
    expect(got).toEqual([next]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/model reload/);
  });

  it('stops telling a subscriber that unsubscribed', () => {
    const holder = new ModelHolder(tinyModel());
    let calls = 0;
    const off = holder.subscribe(() => calls++);
    holder.replace(tinyModel());
    off();
    holder.replace(tinyModel());
    expect(calls).toBe(1);
  });
});
