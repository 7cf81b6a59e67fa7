/**
 * The wait of a loop that polls a table (outbox, events, deadlines) between
 * empty rounds: a timer that `cut()` ends early, when a notification arrives
 * or the loop is told to stop, so neither waits out the interval.
 */
export class PollPause {
  private cutShort: (() => void) | undefined;

  constructor(private readonly intervalMs: number) {}

  /** Until cut, or for the interval (or `ms`, when shorter work is due sooner). */
  wait(ms = this.intervalMs): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.cutShort = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.min(ms, this.intervalMs));
      this.cutShort = done;
    });
  }

  cut(): void {
    this.cutShort?.();
  }
}
