/**
 * A version-2 Cyberstride snapshot (the 464-byte slot before the alert decision), written by the build
 * of commit c43d99e after 600 readings of 500 + 4·N(0,1) every 5 minutes (seeded random 21). Test data
 * for restoring old snapshots.
 */
import type { DetectorState } from '../../src/vsm/detectors/detector.js';

export const V2_SNAPSHOT: DetectorState = {
  type: 'cyberstride',
  version: 2,
  options: {
    warmup: 20,
    levelRate: 0.5,
    scaleRate: 0.01,
    seasonalBins: 24,
    seasonalRate: 0.07,
    rawSoftness: 10,
    shortRate: 0.1,
    longRate: 0.0014,
    rangeTolerance: 0.02,
    rangeWarmup: 100,
    fireAt: 0.99,
    refractory: 200,
    damping: 0.5,
    confirm: 3,
    confirmProbability: 0.5,
    confirmSigmas: 10,
    useLevel: 1,
    useChange: 1,
    useLikelihood: 1,
    harrisonStevens: {
      warmup: 20,
      varianceDiscount: 0.99,
      relativeNoiseFloor: 1e-10,
      prior: [0.94, 0.02, 0.01, 0.03],
      observation: [1, 1, 1, 100],
      level: [0.01, 100, 0.01, 0.01],
      slope: [0.0001, 0.0001, 16, 0.0001],
    },
  },
  state:
    'AACStqm9eEKy5UxaqfF+QAAAAAAAAHBAEQ57P/ZgrTsXRcY7vqgCPFCCwDwKVXI66podPMAh6jo+ai08xaWKvJgH8zxEHeo6yyyePrNlMz2i/UQ89Xl9Pza9KzoFyYc8VFRxP/euaz9J4pw/gY7mPmx8hz2gw4c8rp19P6EgIzuN/Cw7ZxqJOxkFwDzyF146wDClPBmssTopnmk8cWTPu3XTqzw12ug5gvKmPjl+Xj3Th+U8m9sGP7ZwvDyLiDg9fjdZP+T05z4mX7E+HzfZPovZkT2HigQ9YRFhPIqEx0JYAgAAAAAAAHh/mDx1j2A84qPyvGIsdz0rMEw8vgAAAAoAAABwDJQ9eNcFPltQLz15DVE94alGPRPFmzuzTYQ9NlgtPZmVizvNC448/UuiPOqrujyUH9I8pLmaPIg3ojwl8pI82sCIPGXMlTzhJ7I8bUSdPHrblTw6IpI8HVKiPP55kTx6IpY86t7BPOS9mzwmmL887fFXPAKBoTxJxJk85ZyMPF1unTxPPIE8ZTxnPIo8VTw8PFg8OTxIPG88UjwoPHM8VjxWPGM8cTyaPDQ8NjwlPHI8VzwaGBgYGBgYGBgYGBgYGBgYGBgYGBgYISM=',
};
