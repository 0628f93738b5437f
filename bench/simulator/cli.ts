/**
 * `npm run simulate -- [options]`: the fleet simulator's command line. Parses options with
 * commander, registers and runs the fleet (run-fleet.ts), shows the live status line, and
 * stops cleanly after --duration or on Ctrl-C with a final summary.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEMO, type FleetInput } from './options';
import { runFleet } from './run-fleet';
import { StatusLine } from './status-line';

const int = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name}: a whole number ≥ 0`);
  return n;
};
const num = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name}: a number ≥ 0`);
  return n;
};
const share = (name: string) => (value: string) => {
  const n = num(name)(value);
  if (n > 1) throw new InvalidArgumentError(`${name}: between 0 and 1`);
  return n;
};

const program = new Command('simulate')
  .description(
    'Simulates a device fleet (OCPP 1.6 / 2.0.1 chargers, MQTT sensors, native JSON devices) against a running Doppel stack.',
  )
  .option('--gateway <url>', 'gateway base URL (default ws://127.0.0.1:8080)')
  .option('--api <url>', 'GraphQL endpoint (default http://127.0.0.1:4000/graphql)')
  .option('--tenant <id>', 'tenant of every simulated device (default sim)')
  .option('--devices <n>', 'total devices, split evenly over the four kinds', int('--devices'))
  .option('--ocpp16 <n>', 'OCPP 1.6 chargers', int('--ocpp16'))
  .option('--ocpp201 <n>', 'OCPP 2.0.1 chargers', int('--ocpp201'))
  .option('--mqtt <n>', 'MQTT sensors', int('--mqtt'))
  .option('--json <n>', 'native JSON devices', int('--json'))
  .option(
    '--duration <s>',
    'seconds to run after registration; 0 = until Ctrl-C (default 60)',
    num('--duration'),
  )
  .option('--seed <n>', 'seed of every random choice (default 1)', int('--seed'))
  .option(
    '--connect-rate <n>',
    'new connections per second, whole fleet (default 200; gateway admits 500)',
    num('--connect-rate'),
  )
  .option('--reconnect-jitter', 'randomise reconnect delays ±50 % (default)')
  .option('--no-reconnect-jitter', 'reconnect after exact back-off delays (lock-step)')
  .option(
    '--reconnect-delay <ms>',
    'first reconnect delay, doubling per failure up to 30 s (default 1000)',
    int('--reconnect-delay'),
  )
  .option(
    '--session-interval <s>',
    'mean idle seconds between charging sessions (default 300)',
    num('--session-interval'),
  )
  .option(
    '--session-min <s>',
    'shortest charging session, seconds (default 60)',
    num('--session-min'),
  )
  .option(
    '--session-max <s>',
    'longest charging session, seconds (default 240)',
    num('--session-max'),
  )
  .option(
    '--meter-interval <s>',
    'seconds between meter values in a session (default 30)',
    num('--meter-interval'),
  )
  .option(
    '--telemetry-interval <s>',
    'seconds between telemetry of sensors and JSON devices (default 30)',
    num('--telemetry-interval'),
  )
  .option(
    '--report-interval <s>',
    'seconds between state reports of sensors and JSON devices (default 60)',
    num('--report-interval'),
  )
  .option('--fault-rate <n>', 'faults per device per hour (default 0.2)', num('--fault-rate'))
  .option(
    '--drop-rate <n>',
    'connection drops per device per hour (default 0.1)',
    num('--drop-rate'),
  )
  .option('--fw-step <s>', 'seconds per firmware update step (default 2)', num('--fw-step'))
  .option(
    '--fw-failure-rate <p>',
    'share of firmware updates that fail (default 0.05)',
    share('--fw-failure-rate'),
  )
  .option(
    '--fw-timeout-rate <p>',
    'share of firmware updates that go silent (default 0.02)',
    share('--fw-timeout-rate'),
  )
  .option(
    '--register-concurrency <n>',
    'concurrent registerDevice calls (default 16)',
    int('--register-concurrency'),
  )
  .option(
    '--registered-only',
    'run only the devices an earlier run registered (tokens on file); register none',
  )
  .option(
    '--tokens-file <path>',
    'where device tokens are kept (default .data/simulator/<tenant>.json)',
  )
  .option(
    '--per-worker <n>',
    'devices per worker process, below 15,000 (default 5000)',
    int('--per-worker'),
  )
  .option(
    '--workers <n>',
    'worker processes (default: as many as --per-worker needs; 0 = this process)',
    int('--workers'),
  )
  .option(
    '--source-addresses <n>',
    'spread connections over 127.0.0.1…n (default: one per 5,000 devices)',
    int('--source-addresses'),
  )
  .option('--id-prefix <p>', 'prefix of the device ids (default sim)')
  .addOption(
    new Option(
      '--demo',
      'a dozen devices with lively rates against the `npm start` defaults, until Ctrl-C',
    ),
  )
  .showHelpAfterError();

program.parse();
const o = program.opts();
const explicit = (name: string) => program.getOptionValueSource(name) === 'cli';
const pick = <T>(name: string): T | undefined => (explicit(name) ? (o[name] as T) : undefined);
const defined = <T extends object>(value: T) =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;

const devices = pick<number>('devices');
const even = devices !== undefined ? Math.floor(devices / 4) : undefined;
const counts = defined({
  ocpp16: pick<number>('ocpp16') ?? (even !== undefined ? devices! - 3 * even : undefined),
  ocpp201: pick<number>('ocpp201') ?? even,
  mqtt: pick<number>('mqtt') ?? even,
  json: pick<number>('json') ?? even,
});
const base: FleetInput = o.demo ? DEMO : {};
const durationS = pick<number>('duration');
const input: FleetInput = {
  ...base,
  ...defined({
    gateway: pick<string>('gateway'),
    api: pick<string>('api'),
    tenant: pick<string>('tenant'),
    durationS: durationS === 0 ? Infinity : durationS,
    seed: pick<number>('seed'),
    connectRate: pick<number>('connectRate'),
    reconnectJitter: pick<boolean>('reconnectJitter'),
    reconnectDelayMs: pick<number>('reconnectDelay'),
    registerConcurrency: pick<number>('registerConcurrency'),
    registerMissing: o.registeredOnly ? false : undefined,
    tokensFile: pick<string>('tokensFile'),
    devicesPerWorker: pick<number>('perWorker'),
    workers: pick<number>('workers'),
    sourceAddresses: pick<number>('sourceAddresses'),
    idPrefix: pick<string>('idPrefix'),
  }),
  counts: { ...base.counts, ...counts },
  rates: {
    ...base.rates,
    ...defined({
      sessionIntervalS: pick<number>('sessionInterval'),
      sessionMinS: pick<number>('sessionMin'),
      sessionMaxS: pick<number>('sessionMax'),
      meterIntervalS: pick<number>('meterInterval'),
      telemetryIntervalS: pick<number>('telemetryInterval'),
      reportIntervalS: pick<number>('reportInterval'),
      faultsPerHour: pick<number>('faultRate'),
      dropsPerHour: pick<number>('dropRate'),
      firmwareStepS: pick<number>('fwStep'),
      firmwareFailureRate: pick<number>('fwFailureRate'),
      firmwareTimeoutRate: pick<number>('fwTimeoutRate'),
    }),
  },
};
const c = input.counts ?? {};
const total = (c.ocpp16 ?? 0) + (c.ocpp201 ?? 0) + (c.mqtt ?? 0) + (c.json ?? 0);
if (total === 0)
  program.error('no devices: give --devices, --ocpp16, --ocpp201, --mqtt or --json (or --demo)');

const status = new StatusLine();
const say = (line: string) => {
  status.newline();
  console.log(line);
};
say(
  `registering ${total} devices of tenant ${input.tenant ?? 'sim'} through ${input.api ?? 'http://127.0.0.1:4000/graphql'}`,
);
let lastShown = 0;
const run = await runFleet(input, {
  log: say,
  onRegistration: ({ done, total: all }) => {
    if (Date.now() - lastShown < (status.tty ? 200 : 5_000) && done < all) return;
    lastShown = Date.now();
    if (status.tty) process.stdout.write(`\r\x1b[2Kregistered ${done}/${all}`);
    else console.log(`registered ${done}/${all}`);
  },
});
const { registration } = run;
say(
  `registration: ${registration.registered} new, ${registration.reused} reused, ${registration.skipped.length} skipped in ${(run.registrationMs / 1000).toFixed(1)} s; connecting at ${run.options.connectRate}/s` +
    (run.workers > 0 ? ` from ${run.workers} worker processes` : ''),
);
const connecting = Date.now();
status.restart();
let rampedAt: number | undefined;
const fleetSize = registration.devices.length;
const ticker = setInterval(() => {
  const counters = run.counters();
  if (rampedAt === undefined && counters.booted >= fleetSize) {
    rampedAt = Date.now();
    say(
      `all ${fleetSize} devices connected and booted in ${((rampedAt - connecting) / 1000).toFixed(1)} s`,
    );
  }
  status.update(counters, fleetSize, run.waiting());
}, 1_000);
let interrupted = false;
const onSignal = () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  say('stopping (Ctrl-C again to quit at once)…');
  void run.stop();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
const final = await run.done;
clearInterval(ticker);
status.update(final, fleetSize, 0, true);
status.newline();
console.log(
  `done: ${final.messages} messages, charging sessions ${final.sessionsStarted} started / ${final.sessionsCompleted} completed, firmware ${final.firmwareDone} installed / ${final.firmwareFailed} failed / ${final.firmwareTimedOut} silent, ${final.reconnects} reconnects, ${final.refused503} refused 503, ${final.errors} errors (${final.timeouts} answers timed out, ${final.connectFailures} connects failed)` +
    (rampedAt !== undefined
      ? `; ramp-up ${((rampedAt - connecting) / 1000).toFixed(1)} s`
      : '; not every device booted'),
);
process.exit(0);
