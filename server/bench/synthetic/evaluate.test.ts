import { describe, expect, it } from '@jest/globals';
import type { ChangeKindOrNone, DetectorOutput, StreamingDetector } from '../../src/vsm/detectors/detector.js';
import { alertOnsets, detectWindowOf, rowsToFlags, scoreSeries, settledRow, traceDetector } from './evaluate.js';
import { FAMILIES, generateFamily, type Series } from './families.js';

type Decision = { alert?: boolean; kind?: ChangeKindOrNone; probability?: number; learning?: boolean } | undefined;

/** A detector that says, at reading i (from 0), what `decide(i)` says: no alert otherwise. */
function fakeDetector(decide: (i: number) => Decision): StreamingDetector {
  let i = 0;
  return {
    update(): DetectorOutput {
      const d = decide(i++);
      return {
        score: d?.alert ? 1 : 0,
        kind: d?.kind ?? 'none',
        probability: d?.probability ?? 0.5,
        forecast: null,
        alert: d?.alert ?? false,
        learning: d?.learning ?? false,
      };
    },
    snapshot: () => ({ type: 'fake', version: 1 }),
  };
}

/** Alerts at the given rows (offsets from the event start) with the given kinds. */
function alertsAt(rows: Record<number, ChangeKindOrNone>, probability = 0.9): (i: number) => Decision {
  return (i) => (rows[i] !== undefined ? { alert: true, kind: rows[i], probability } : undefined);
}

const score = (s: Series, decide: (i: number) => Decision) => scoreSeries(s, traceDetector(fakeDetector(decide), s));

describe('alertOnsets', () => {
  it('opens an onset at an alert row more than 10 readings after the previous alert row', () => {
    expect(alertOnsets(rowsToFlags([5, 10, 21, 40, 50, 61], 70))).toEqual([5, 21, 40, 61]);
    expect(alertOnsets(new Uint8Array(10))).toEqual([]);
  });
});

describe('settledRow', () => {
  it('is the latest alert row within 3 readings after the first, or the first itself', () => {
    expect(settledRow({ alert: rowsToFlags([2, 3, 5, 6], 10) }, 2)).toBe(5);
    expect(settledRow({ alert: rowsToFlags([2], 10) }, 2)).toBe(2);
    expect(settledRow({ alert: rowsToFlags([8, 9], 10) }, 8)).toBe(9); // clipped at the series end
  });
});

describe('scoreSeries on event families', () => {
  it('scores a detector that alerts exactly at the event start with the right kind: detected, delay 0, kind right, nothing false', () => {
    for (const f of FAMILIES.filter((x) => x.group === 'event')) {
      const s = generateFamily(f.name, 1);
      const ev = s.events[0]!;
      const r = score(s, alertsAt({ [ev.start]: ev.kind }));
      expect(r.event).toMatchObject({
        detected: true,
        delay: 0,
        reportedKind: ev.kind,
        kindCorrect: true,
        falseOnsets: 0,
        falseAlertRows: 0,
        extraOnsets: 0,
      });
      expect(r.onsetOutcomes).toEqual([
        { row: ev.start, probability: 0.9, detected: true, kindProbability: 0.9, kindCorrect: true },
      ]);
    }
  });

  it('counts an alert that opens as change and is reclassified within 3 readings by its new kind', () => {
    const s = generateFamily('step-white-5', 2);
    const t = s.events[0]!.start;
    const r = score(s, (i) =>
      i === t + 2
        ? { alert: true, kind: 'change', probability: 0.6 }
        : i === t + 5
          ? { alert: true, kind: 'step', probability: 0.8 }
          : undefined,
    );
    expect(r.event).toMatchObject({ detected: true, delay: 2, reportedKind: 'step', kindCorrect: true });
    expect(r.onsetOutcomes[0]).toMatchObject({ probability: 0.6, kindProbability: 0.8, kindCorrect: true });
    const late = score(s, alertsAt({ [t + 2]: 'change', [t + 6]: 'step' })); // reclassified after +3: still 'change'
    expect(late.event).toMatchObject({ detected: true, reportedKind: 'change', kindCorrect: false });
  });

  it('misses a step first alerted 21 readings late (and counts that alert as a re-alert, not a false one), but not a slope first alerted 60 late', () => {
    const step = generateFamily('step-white-10', 3);
    const r = score(step, alertsAt({ [step.events[0]!.start + 21]: 'step' }));
    expect(r.event).toMatchObject({
      detected: false,
      delay: null,
      reportedKind: null,
      kindCorrect: false,
      falseOnsets: 0,
      extraOnsets: 1,
    });
    expect(r.onsetOutcomes[0]).toMatchObject({ detected: false, kindCorrect: false });
    const slope = generateFamily('slope-white-10', 3);
    const t = slope.events[0]!.start;
    expect(score(slope, alertsAt({ [t + 60]: 'slope' })).event).toMatchObject({
      detected: true,
      delay: 60,
      kindCorrect: true,
    });
    expect(score(slope, alertsAt({ [t + 61]: 'slope' })).event).toMatchObject({ detected: false });
  });

  it("counts, for calibration, an onset at a shift's return as standing on a change (a step back), not one later, nor one long after a lasting step", () => {
    const shift = generateFamily('shift-white-4', 5);
    const ev = shift.events[0]!;
    const w = detectWindowOf(ev);
    const back = score(shift, alertsAt({ [ev.start + 1]: 'step', [ev.end + 2]: 'step', [ev.end + w + 30]: 'step' }));
    expect(back.onsetOutcomes.map((o) => o.detected)).toEqual([true, true, false]);
    expect(back.onsetOutcomes[1]).toMatchObject({ kindCorrect: true });
    const step = generateFamily('step-white-5', 5);
    const s0 = step.events[0]!.start;
    const lasting = score(step, alertsAt({ [s0]: 'step', [s0 + 300]: 'step' }));
    expect(lasting.onsetOutcomes.map((o) => o.detected)).toEqual([true, false]);
  });

  it('counts alerts outside [start, end + 30] as false, per reading outside that span', () => {
    const s = generateFamily('transient-white-10', 4);
    const t = s.events[0]!.start;
    const r = score(
      s,
      alertsAt({
        [t - 500]: 'step',
        [t - 499]: 'step',
        [t]: 'transient',
        [t + 30]: 'transient',
        [t + 31]: 'step',
        [t + 100]: 'slope',
      }),
    );
    expect(r.event).toMatchObject({
      detected: true,
      delay: 0,
      falseOnsets: 2,
      falseAlertRows: 4,
      falseExposure: 3000 - 31,
      extraOnsets: 1,
    });
    expect(r).toMatchObject({ onsets: 4, alertRows: 6 });
    expect(r.onsetOutcomes.map((o) => o.detected)).toEqual([false, true, false, false]);
  });
});

describe('scoreSeries on null families', () => {
  it('gives 100 onsets and 100 alert rows per 10,000 readings for a detector alerting every 100th reading', () => {
    const s = generateFamily('null-white', 1);
    const r = score(s, (i) => (i % 100 === 99 ? { alert: true, kind: 'transient' } : undefined));
    expect(r).toMatchObject({ readings: 10_000, onsets: 100, alertRows: 100, learningAlertRows: 0, event: null });
    expect(r.onsetOutcomes.every((o) => !o.detected && !o.kindCorrect)).toBe(true);
  });

  it('skips nothing: an alert while learning counts, and is flagged', () => {
    const s = generateFamily('null-trend', 1);
    const r = score(s, (i) => (i < 3 ? { alert: true, kind: 'step', learning: true } : { learning: i < 1000 }));
    expect(r).toMatchObject({ onsets: 1, alertRows: 3, learningAlertRows: 3 });
  });
});

describe('traceDetector', () => {
  it('rejects a kind it does not know rather than miscounting it', () => {
    const s = generateFamily('null-white', 1);
    expect(() =>
      traceDetector(
        fakeDetector(() => ({ kind: 'dropout' as ChangeKindOrNone })),
        s,
      ),
    ).toThrow(/unknown kind "dropout" at row 0/);
  });
});

describe('a shift (a step that states its own detection window)', () => {
  it('is detected by an alert row up to 60 readings after its start (a lasting step only up to 20), and an alert after it ended counts as false only past end + 30', () => {
    const shift = generateFamily('shift-white-4', 3);
    const ev = shift.events[0]!;
    expect(ev.detectWithin).toBe(60);
    const at40 = score(shift, alertsAt({ [ev.start + 40]: 'step' }));
    expect(at40.event).toMatchObject({
      detected: true,
      delay: 40,
      reportedKind: 'step',
      kindCorrect: true,
      falseOnsets: 0,
    });
    expect(score(shift, alertsAt({ [ev.start + 61]: 'step' })).event).toMatchObject({ detected: false });
    expect(score(shift, alertsAt({ [ev.end + 30]: 'step' })).event).toMatchObject({ falseOnsets: 0 });
    expect(score(shift, alertsAt({ [ev.end + 31]: 'step' })).event).toMatchObject({ falseOnsets: 1 });
    const step = generateFamily('step-white-5', 3);
    const s = step.events[0]!;
    expect(score(step, alertsAt({ [s.start + 40]: 'step' })).event).toMatchObject({ detected: false });
  });
});
