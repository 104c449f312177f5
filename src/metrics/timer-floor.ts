/**
 * What timing costs: the median of back-to-back clock reads, in ns. No latency below it can be told
 * apart from zero, so reports draw it as a floor under every latency chart.
 */
export function timerFloorNs(): number {
  const samples = new Float64Array(20_001);
  for (let i = 0; i < samples.length; i++) {
    const start = performance.now();
    samples[i] = (performance.now() - start) * 1e6;
  }
  return samples.sort()[samples.length >> 1]!;
}
