/**
 * A version-3 Cyberstride snapshot (the 584-byte slot of the alert decision, before the long-level
 * drift gate), written by the build of commit 9110a19 after 600 readings of 500 + 4·N(0,1) every 5
 * minutes (seeded random 21). Test data for restoring old snapshots.
 */
import type { DetectorState } from '../../src/vsm/detectors/detector.js';

export const V3_SNAPSHOT: DetectorState = {
  type: 'cyberstride',
  version: 3,
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
    learn: 150,
    zGate: 5,
    zGross: 5.75,
    tailDecay: 0.9999,
    tailMult: 1.5,
    grossTailMult: 1.1,
    classifyAfter: 3,
    kindPenalty: 4,
    episode: 20,
    zCandidate: 3.5,
    confirmSigmas: 3,
    shiftTailMult: 1,
    tailKnee: 4,
    tailPower: 1.5,
    youth: 5,
    zSlope: 6,
    slopeTailMult: 1.5,
    driftAllowance: 2.5,
    driftTailShare: 0.7,
    driftLimit: 45,
    flatRun: 10,
    flatMult: 2,
    useLevel: 1,
    useChange: 1,
    useLikelihood: 1,
    harrisonStevens: {
      warmup: 20,
      varianceDiscount: 0.99,
      relativeNoiseFloor: 1e-13,
      prior: [0.94, 0.02, 0.01, 0.03],
      observation: [1, 1, 1, 100],
      level: [0.01, 100, 0.01, 0.01],
      slope: [0.0001, 0.0001, 16, 0.0001],
    },
  },
  state:
    'AACStqm9eEKy5UxaqfF+QAAAAAAAAHBAEQ57P/ZgrTsXRcY7vqgCPFCCwDwKVXI66podPMAh6jo+ai08xaWKvJgH8zxEHeo6yyyePrNlMz2i/UQ89Xl9Pza9KzoFyYc8VFRxP/euaz9J4pw/gY7mPmx8hz2gw4c8rp19P6EgIzuN/Cw7ZxqJOxkFwDzyF146wDClPBmssTopnmk8cWTPu3XTqzw12ug5gvKmPjl+Xj3Th+U8m9sGP7ZwvDyLiDg9fjdZP+T05z4mX7E+HzfZPovZkT2HigQ9YRFhPIqEx0JYAgAAAAAAAHh/mDxVMmE84qPyvGIsdz0tfiBAAAAAAAAAAADqMpM9fBOMPYcyEDy2TlA9ZzA0PfCPdzuzTYQ9NlgtPZmVizszy3xAAAAAAEuN978AAAAAAAAAAAEAAAABAAAASErKPKXbszxi3OY8y4wHPHWNojxiHA09qeXxPPNRGjwiGOc8MnCdPAhM3jxNq0E8zHjrO+Gj8rwzwNw8zTJ6uwAAAACzWvM3FvtaQJAtW0Brh1tAJz+ZP80Ljjz9S6I86qu6PJQf0jykuZo8iDeiPCXykjzawIg8ZcyVPOEnsjxtRJ08etuVPDoikjwdUqI8/nmRPHoiljzq3sE85L2bPCaYvzzt8Vc8AoGhPEnEmTzlnIw8XW6dPE88gTxlPGc8ijxVPDw8WDw5PEg8bzxSPCg8czxWPFY8YzxxPJo8NDw2PCU8cjxXPBoYGBgYGBgYGBgYGBgYGBgYGBgYGBghIwAAAAA=',
};
