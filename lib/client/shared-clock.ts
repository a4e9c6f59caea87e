/**
 * One clock shared by every component that reads it: a single interval, running only while
 * something is subscribed. For useSyncExternalStore (subscribe + getNow).
 */
export function createSharedClock(tickMs: number): { subscribe: (listener: () => void) => () => void; getNow: () => number } {
  let now = Date.now();
  let timer: ReturnType<typeof setInterval> | undefined;
  const listeners = new Set<() => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      if (!timer) {
        now = Date.now();
        timer = setInterval(() => {
          now = Date.now();
          for (const l of listeners) l();
        }, tickMs);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
    getNow: () => now,
  };
}
