/**
 * A one-line progress display on stderr for runs longer than a second, on a terminal only: ops done,
 * ops per second, violations so far. Redrawn in place; cleared before anything else is printed.
 */
export class Progress {
  private label = '';
  private shown = false;

  constructor(private readonly enabled: boolean) {}

  start(label: string): void {
    this.label = label;
  }

  update(p: { phase: string; ops: number; violations: number; elapsedMs: number }): void {
    if (!this.enabled || p.elapsedMs < 1000) return;
    const rate = Math.round(p.ops / (p.elapsedMs / 1000)).toLocaleString('en-US');
    const line = `${this.label} [${p.phase}] ${p.ops.toLocaleString('en-US')} ops, ${rate} ops/s, ${p.violations} violations, ${(p.elapsedMs / 1000).toFixed(1)} s`;
    process.stderr.write(`\r\x1b[2K${line}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) process.stderr.write('\r\x1b[2K');
    this.shown = false;
  }
}
