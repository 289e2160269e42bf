import { describe, expect, it } from '@jest/globals';
import type { DetectorState } from './detector.js';
import { CyberstrideDetector } from './cyberstride.js';
import { HarrisonStevensDetector } from './harrison-stevens.js';
import { createDetector, DetectorStateError, restoreDetector } from './restore.js';

function warmed(opts: Parameters<typeof createDetector>[0] = { type: 'harrison-stevens' }): HarrisonStevensDetector {
  const d = createDetector(opts) as HarrisonStevensDetector;
  for (let t = 0; t < 40; t++) d.update(Math.sin(t), t);
  return d;
}

describe('createDetector', () => {
  it('creates the Cyberstride ensemble by default, and a bare Harrison & Stevens detector on request, with snapshot type and version', () => {
    const d = createDetector();
    expect(d).toBeInstanceOf(CyberstrideDetector);
    expect(d.snapshot()).toMatchObject({ type: 'cyberstride', version: 9 });
    const hs = createDetector({ type: 'harrison-stevens' });
    expect(hs).toBeInstanceOf(HarrisonStevensDetector);
    expect(hs.snapshot()).toMatchObject({ type: 'harrison-stevens', version: 1 });
  });

  it('passes options through, and rejects an unknown type', () => {
    const d = createDetector({ type: 'harrison-stevens', warmup: 5 });
    for (let t = 0; t < 5; t++) expect(d.update(t, t).forecast).toBeNull();
    expect(d.update(5, 5).forecast).not.toBeNull();
    expect(() => createDetector({ type: 'nope' as 'cyberstride' })).toThrow(/unknown detector type "nope"/);
  });
});

describe('restoreDetector', () => {
  it('restores the options along with the state', () => {
    const d = warmed({ type: 'harrison-stevens', warmup: 7, states: { transient: { prior: 0.1 } } });
    const again = restoreDetector(JSON.parse(JSON.stringify(d.snapshot())) as DetectorState);
    expect(again.snapshot()).toEqual(d.snapshot());
    expect(again.update(3, 40)).toEqual(d.update(3, 40));
  });

  it('keeps negative zero, which JSON alone would turn into zero', () => {
    const d = createDetector({ type: 'harrison-stevens', warmup: 3 });
    for (let t = 0; t < 3; t++) d.update(-0, t);
    const snap = d.snapshot() as DetectorState & { state: unknown[] };
    const restored = restoreDetector(JSON.parse(JSON.stringify(snap)) as DetectorState);
    expect(restored.snapshot()).toEqual(snap);
  });

  it('throws a DetectorStateError for an unknown type, naming the known ones', () => {
    const err = (() => {
      try {
        restoreDetector({ type: 'ewma', version: 1 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DetectorStateError);
    expect((err as Error).message).toMatch(
      /unknown detector type "ewma" \(known: cyberstride, harrison-stevens\).*create a new detector/,
    );
  });

  it('throws a DetectorStateError for an unknown version, saying what to do', () => {
    const snap = { ...warmed().snapshot(), version: 99 };
    expect(() => restoreDetector(snap)).toThrow(DetectorStateError);
    expect(() => restoreDetector(snap)).toThrow(/version 99 \(this build reads .*\).*create a new detector/);
  });

  it('throws a DetectorStateError for malformed content instead of restoring garbage', () => {
    const good = warmed().snapshot();
    const cases: unknown[] = [
      null,
      { ...good, options: undefined },
      { ...good, options: { ...good.options, warmup: -1 } },
      { ...good, options: { ...good.options, prior: [0.5, 0.5, 0.5, 0.5] } },
      { ...good, state: good.state.slice(1) },
      { ...good, state: good.state.map((v, i) => (i === 3 ? 'x' : v)) },
      { ...good, state: good.state.map((v, i) => (i === 3 ? null : v)) },
    ];
    for (const c of cases) expect(() => restoreDetector(c as DetectorState)).toThrow(DetectorStateError);
  });

  it('throws a DetectorStateError for a malformed Cyberstride snapshot', () => {
    const d = createDetector();
    for (let t = 0; t < 40; t++) d.update(Math.sin(t), t);
    const good = d.snapshot() as DetectorState & { state: string; hs: string; options: Record<string, unknown> };
    const cases: unknown[] = [
      { ...good, state: good.state.slice(12) },
      { ...good, state: 7 },
      { ...good, state: '!!' },
      { ...good, options: { ...good.options, refractory: -1 } },
      { ...good, options: { ...good.options, harrisonStevens: undefined } },
    ];
    for (const c of cases) expect(() => restoreDetector(c as DetectorState)).toThrow(DetectorStateError);
  });
});
