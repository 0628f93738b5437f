/**
 * The live status line: one line redrawn in place on a terminal, a plain line every
 * `plainEveryMs` otherwise (logs, CI). Messages/s is measured between two redraws.
 */
import type { Counters } from './counters';

export function formatStatus(
  c: Counters,
  info: { total: number; waiting: number; messagesPerS: number; elapsedS: number },
): string {
  return [
    `${fmtTime(info.elapsedS)}`,
    `conn ${c.connected}/${info.total}`,
    `booted ${c.booted}`,
    ...(info.waiting > 0 ? [`queued ${info.waiting}`] : []),
    `msg/s ${info.messagesPerS.toFixed(0)}`,
    `charging ${c.charging} (sessions ${c.sessionsStarted}/${c.sessionsCompleted} done)`,
    `fw ${c.firmwareDone} ok/${c.firmwareFailed} failed/${c.firmwareTimedOut} silent`,
    `faults ${c.faults}`,
    `reconnects ${c.reconnects}`,
    `503 ${c.refused503}`,
    `errors ${c.errors} (${c.timeouts} timed out, ${c.connectFailures} failed connects)`,
  ].join(' | ');
}

function fmtTime(s: number): string {
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}

export class StatusLine {
  private lastMessages = 0;
  private lastAt = Date.now();
  private lastPlain = 0;
  private started = Date.now();

  constructor(
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly plainEveryMs = 10_000,
  ) {}

  /** Elapsed time counts from now (the fleet starts connecting). */
  restart(): void {
    this.started = this.lastAt = Date.now();
  }

  get tty(): boolean {
    return Boolean(this.out.isTTY);
  }

  /** Redraws (TTY) or prints when a plain line is due; returns the line. */
  update(c: Counters, total: number, waiting: number, force = false): string {
    const now = Date.now();
    const due = this.tty || force || now - this.lastPlain >= this.plainEveryMs;
    const rate = ((c.messages - this.lastMessages) * 1000) / Math.max(1, now - this.lastAt);
    const line = formatStatus(c, {
      total,
      waiting,
      messagesPerS: rate,
      elapsedS: (now - this.started) / 1000,
    });
    if (!due) return line;
    this.lastMessages = c.messages;
    this.lastAt = now;
    this.lastPlain = now;
    if (this.tty) this.out.write(`\r\x1b[2K${line.slice(0, (this.out.columns || 200) - 1)}`);
    else this.out.write(`${line}\n`);
    return line;
  }

  /** Leaves the redrawn line in place and moves on (before other output). */
  newline(): void {
    if (this.tty) this.out.write('\n');
  }
}
