/** The faults the demo injects, drawn with the caller's seeded random in [0,1). */
export function pickFault(random: () => number, metrics: readonly string[]): { metric: string; fault: Record<string, unknown>; description: string } {
  const metric = metrics[Math.floor(random() * metrics.length)]!;
  const r = random();
  const durationMs = 90_000;
  if (r < 0.4) {
    const factor = random() < 0.5 ? 0.5 : 1.6;
    return { metric, fault: { kind: 'step', factor, durationMs }, description: `step (×${factor} for 90 s)` };
  }
  if (r < 0.6) return { metric, fault: { kind: 'spike', factor: 3 }, description: 'spike (one reading ×3)' };
  if (r < 0.8) return { metric, fault: { kind: 'drift', slopePerHour: 400, durationMs }, description: 'drift (+400 units/h for 90 s)' };
  if (r < 0.9) return { metric, fault: { kind: 'flatline', durationMs }, description: 'flatline (90 s)' };
  return { metric, fault: { kind: 'dropout', durationMs }, description: 'dropout (no readings for 90 s)' };
}
