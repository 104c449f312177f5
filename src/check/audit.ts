/**
 * The audit at quiescence (every thread parked at a barrier, or gone): the allocator's own consistency
 * check, then its view of every page against the ledger. Allocated but held by nobody is a leak; held
 * but free in the allocator's eyes is a lost page.
 *
 * It calls allocator code (audit, isAllocated) for every page, so it runs in the user host
 * (harness/user-host-worker.ts), under a deadline, never on the main thread.
 */
import type { AllocatorDefinition, PageAllocator, SharedRegion } from '../alloc/contract.ts';
import type { Phase } from '../scenario/schema.ts';
import { describeHolder } from './ledger.ts';
import { MAX_PAGES_LISTED, type Violation } from './violation.ts';

/** At most this many audit lines become violations; the rest are counted in the last one's message. */
const MAX_AUDIT_LINES = 5;

export function auditAtQuiescence(
  definition: Pick<AllocatorDefinition, 'name' | 'audit'>,
  region: SharedRegion,
  pages: number,
  view: PageAllocator,
  /** The ownership ledger, or undefined when the run kept none (`--checks none`). */
  ledger: Int32Array | undefined,
  phase: Phase | undefined,
): Violation[] {
  const found: Violation[] = [];
  const at = phase ? ` after ${phase}` : '';
  const lines = definition.audit?.(region, pages) ?? [];
  for (const [i, line] of lines.slice(0, MAX_AUDIT_LINES).entries()) {
    const more = i === MAX_AUDIT_LINES - 1 && lines.length > MAX_AUDIT_LINES ? ` (and ${lines.length - MAX_AUDIT_LINES} more problems)` : '';
    found.push({ kind: 'audit', message: `${definition.name} audit${at}: ${line}${more}`, pages: [], threads: [], history: [], ...(phase ? { phase } : {}) });
  }
  if (!ledger) return found;
  const leaked: number[] = [];
  const lost: number[] = [];
  const losers = new Set<number>();
  let leakCount = 0;
  let lostCount = 0;
  for (let p = 0; p < pages; p++) {
    const holder = ledger[p]!;
    const allocated = view.isAllocated(p);
    if (allocated && holder === 0) {
      if (leakCount++ < MAX_PAGES_LISTED) leaked.push(p);
    } else if (!allocated && holder !== 0) {
      if (lostCount++ < MAX_PAGES_LISTED) lost.push(p);
      if (holder > 0) losers.add(holder - 1);
    }
  }
  if (leakCount > 0) {
    found.push({
      kind: 'leak',
      message: `${leakCount} page${leakCount === 1 ? ' is' : 's are'} allocated${at} but held by no thread (first: ${leaked.slice(0, 4).join(', ')})`,
      pages: leaked, threads: [], history: [], ...(phase ? { phase } : {}),
    });
  }
  if (lostCount > 0) {
    found.push({
      kind: 'lost-page',
      message: `${lostCount} page${lostCount === 1 ? ' is' : 's are'} held${at} but free in the allocator (first: ${lost.slice(0, 4).map((p) => `${p} by ${describeHolder(ledger[p]!)}`).join(', ')})`,
      pages: lost, threads: [...losers], history: [], ...(phase ? { phase } : {}),
    });
  }
  return found;
}
