import { describe, expect, it } from '@jest/globals';
import { createServerMetrics } from '../metrics/registry.js';
import { setup, step } from '../../test/support/alert-test-kit.js';

describe('AlertService detection-to-alert latency', () => {
  it('times a detection from the detector output to the alert saved and published, once per raise or announced update', async () => {
    const metrics = createServerMetrics({ defaultMetrics: false });
    let t = 0;
    const k = setup({ metrics, latencyClock: () => (t += 2) }); // each reading of the clock is 2 ms later
    k.svc.onDetection(step('r/a/a1'));
    expect(k.eventsOf('raised')).toHaveLength(1);
    expect(await metrics.detectionToAlert.count()).toBe(1);
    expect(await metrics.registry.render()).toMatch(/^opsroom_detection_to_alert_seconds_sum 0.002$/m);
    k.svc.onDetection({ ...step('r/a/a1'), output: { ...step('r/a/a1').output, kind: 'change' } }); // fires again: an announced update
    expect(k.eventsOf('updated')).toHaveLength(1);
    expect(await metrics.detectionToAlert.count()).toBe(2);
  });

  it('observes nothing for an output without an alert', async () => {
    const metrics = createServerMetrics({ defaultMetrics: false });
    const k = setup({ metrics });
    k.svc.onDetection(step('r/a/a1', 0.5));
    expect(k.events).toEqual([]);
    expect(await metrics.detectionToAlert.count()).toBe(0);
  });
});
