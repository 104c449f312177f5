/**
 * Ctrl-C and SIGTERM stop a command the same way: the handler runs once, the work in progress stops and
 * keeps what it gathered. `npm run` forwards the terminal's SIGINT to its child, which has already had
 * the same one from the terminal: a second signal is that echo (or an impatient user), and is not
 * announced again; the workers are terminated within a second anyway.
 */
export type StopSignal = 'SIGINT' | 'SIGTERM';

export function onStopSignals(stop: (signal: StopSignal) => void): { off: () => void } {
  let stopped = false;
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = () => {
      if (stopped) return;
      stopped = true;
      stop(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return { off: () => handlers.forEach(([signal, handler]) => process.off(signal, handler)) };
}
