/**
 * A wait that a notification can cut short: loops that drain on NOTIFY sleep with `wait(ms)`
 * (the backstop or the next tick) and their listener calls `wake()`. A wake while nobody waits
 * is dropped — the loop keeps its own "changed" flag for a notification during a round.
 */
export function wakeableWait() {
  let wake: (() => void) | null = null;
  return {
    wait(ms: number): Promise<void> {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          wake = null;
          resolve();
        }, ms);
        wake = () => {
          wake = null;
          clearTimeout(timer);
          resolve();
        };
      });
    },
    wake(): void {
      wake?.();
    },
  };
}
