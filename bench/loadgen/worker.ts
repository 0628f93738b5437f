/**
 * A load-generator worker process (forked by `LoadGenerator`). It holds one share of the
 * connections and runs the closed or open loop on them at the time the parent names, then
 * answers with its ack count and its latency histogram (compressed, merged by the parent).
 */
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { LoadConnection } from './connection';
import type { WorkerCommand, WorkerReply } from './messages';

/** Connection sets by id: several stay open, idle, while another one runs. */
const sets = new Map<number, LoadConnection[]>();
let errors = 0;
let recording = { from: Infinity, to: -Infinity };
let acked = 0;
let hist = newHistogram();
let late = newHistogram();

function newHistogram() {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

const reply = (m: WorkerReply) => process.send!(m);

const hooks = {
  ack(_conn: LoadConnection, intendedMs: number) {
    const now = performance.now();
    if (now >= recording.from && now < recording.to) {
      acked++;
      hist.recordValue(Math.max(1, Math.round((now - intendedMs) * 1000)));
    }
  },
  error() {
    errors++;
  },
};

async function open(cmd: Extract<WorkerCommand, { cmd: 'open' }>): Promise<void> {
  let conns = cmd.devices.map((d) => new LoadConnection(cmd.target, d, 1, hooks));
  let failed = 0;
  let firstError: string | undefined;
  let i = 0;
  // At most 64 handshakes at a time: a burst of thousands would meet the server's admission rate.
  const lane = async () => {
    while (i < conns.length) {
      const k = i++;
      const address = cmd.localAddresses[k % cmd.localAddresses.length]!;
      try {
        await conns[k]!.open(address);
      } catch (err) {
        failed++;
        firstError ??= String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(64, conns.length) }, lane));
  conns = conns.filter((c) => !c.closed);
  sets.set(cmd.set, conns);
  reply({ type: 'opened', ok: conns.length, failed, ...(firstError ? { firstError } : {}) });
}

async function run(cmd: Extract<WorkerCommand, { cmd: 'run' }>): Promise<void> {
  const conns = sets.get(cmd.set) ?? [];
  for (const c of conns) c.window = cmd.window;
  const start = cmd.startAtEpochMs - performance.timeOrigin;
  acked = 0;
  errors = 0;
  hist = newHistogram();
  late = newHistogram();
  recording = { from: start + cmd.warmupMs, to: start + cmd.warmupMs + cmd.durationMs };
  const end = recording.to;
  await sleepUntil(start);
  if (cmd.mode === 'closed') {
    const refill = (c: LoadConnection) => c.fill(performance.now());
    for (const c of conns) {
      c.refill = refill;
      c.fill(performance.now());
      c.flush();
    }
    await sleepUntil(end);
  } else {
    // Open loop: message k is due at start + k / rate (a fixed schedule, wrk2-style); a timer
    // every millisecond sends what is due. Latency counts from the due time, so a late
    // generator or a slow server shows up as latency; `lateUs` says how late the generator was.
    const interval = 1000 / cmd.ratePerSecond;
    let k = 0;
    let rr = 0;
    const touched: LoadConnection[] = [];
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = performance.now();
        for (;;) {
          const due = start + k * interval;
          if (due > now || due >= end) break;
          const c = conns[rr++ % conns.length]!;
          c.send(due);
          if (now >= recording.from) late.recordValue(Math.max(1, Math.round((now - due) * 1000)));
          touched.push(c);
          k++;
        }
        for (const c of touched) c.flush();
        touched.length = 0;
        if (now >= end) {
          clearInterval(timer);
          resolve();
        }
      }, 1);
    });
  }
  let backlog = 0;
  for (const c of conns) {
    c.refill = null;
    backlog += c.inFlight;
    c.drop();
  }
  // A connection the server closed during the run counts as an error too.
  const lost = conns.filter((c) => c.closed).length;
  reply({
    type: 'result',
    acked,
    errors: errors + lost,
    inFlightAtEnd: backlog,
    histogram: encodeIntoCompressedBase64(hist),
    lateness: encodeIntoCompressedBase64(late),
  });
}

async function sleepUntil(perfMs: number): Promise<void> {
  const wait = perfMs - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

async function close(set: number): Promise<void> {
  for (const c of sets.get(set) ?? []) c.close();
  // Give close frames a moment to leave before the next run opens new connections.
  await new Promise((r) => setTimeout(r, 100));
  sets.delete(set);
  reply({ type: 'closed' });
}

process.on('message', (m: WorkerCommand) => {
  const done = (p: Promise<void>) =>
    p.catch((err: unknown) => reply({ type: 'failed', error: String(err) }));
  if (m.cmd === 'open') done(open(m));
  else if (m.cmd === 'run') done(run(m));
  else if (m.cmd === 'close') done(close(m.set));
  else if (m.cmd === 'exit') process.exit(0);
});
reply({ type: 'ready' });
