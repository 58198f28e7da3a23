// A progress line on stderr for long runs: at most once a second, rewritten in place on a terminal.

export class Progress {
  private last = Date.now();
  private readonly start = Date.now();
  private shown = false;

  constructor(
    private readonly verb: string,
    private readonly quiet: boolean,
  ) {}

  tick(count: number): void {
    // Checking the clock every event would cost more than the events; every 64k is plenty.
    if (this.quiet || (count & 0xffff) !== 0) return;
    const now = Date.now();
    if (now - this.last < 1000) return;
    this.last = now;
    this.print(count, now);
  }

  done(count: number): void {
    if (this.shown) this.print(count, Date.now());
    if (this.shown && process.stderr.isTTY) process.stderr.write('\n');
  }

  private print(count: number, now: number): void {
    this.shown = true;
    const secs = (now - this.start) / 1000;
    const rate = secs > 0 ? Math.round(count / secs) : count;
    const text = `${this.verb} ${count} events (${rate}/s)`;
    process.stderr.write(process.stderr.isTTY ? `\r${text}` : `${text}\n`);
  }
}
