/**
 * CPU time of other processes from /proc/<pid>/stat (user + system, all threads), in µs:
 * how server CPU per message is measured for every server alike, Node or not.
 */
import { readFileSync, readdirSync } from 'node:fs';

const TICK_US = 1_000_000 / 100; // USER_HZ is 100 on Linux

/** utime + stime of a process in µs (0 when it is gone). */
export function processCpuUs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_US;
  } catch {
    return 0;
  }
}

/** The children of a process (one level), e.g. PostgreSQL's backends of a postmaster. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The postmaster listening on `port` (its command line names the port). */
export function postmasterPid(port: number): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0');
      const p = cmd.indexOf('-p');
      if (cmd[0]?.endsWith('/postgres') && p >= 0 && cmd[p + 1] === String(port))
        return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

/** Sums CPU µs of a set of processes; `pids()` is re-read at each sample (backends come and go). */
export class CpuMeter {
  private startUs = 0;
  constructor(private readonly pids: () => number[]) {}
  private sample(): number {
    return this.pids().reduce((sum, pid) => sum + processCpuUs(pid), 0);
  }
  start(): void {
    this.startUs = this.sample();
  }
  /** CPU µs since start(). */
  elapsedUs(): number {
    return this.sample() - this.startUs;
  }
}
