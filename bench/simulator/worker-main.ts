/**
 * A worker process of a large fleet (forked by run-fleet.ts): receives its slice of devices
 * over IPC, runs them, and sends its counters to the parent twice a second until told to stop.
 */
import type { Counters } from './counters';
import { FleetHost } from './fleet-host';
import type { FleetOptions } from './options';
import type { ReadyDevice } from './plan';

export type ToWorker =
  | { type: 'start'; options: FleetOptions; devices: ReadyDevice[]; connectRate: number }
  | { type: 'stop' };
export type FromWorker =
  | { type: 'counters'; counters: Counters; waiting: number }
  | { type: 'stopped'; counters: Counters };

let host: FleetHost | undefined;
let timer: NodeJS.Timeout | undefined;
const send = (message: FromWorker) => process.send?.(message);

process.on('message', (message: ToWorker) => {
  if (message.type === 'start' && !host) {
    host = new FleetHost(message.options, message.devices, message.connectRate);
    host.start();
    timer = setInterval(
      () => send({ type: 'counters', counters: host!.counters, waiting: host!.waiting }),
      500,
    );
  } else if (message.type === 'stop') {
    clearInterval(timer);
    void (host?.stop() ?? Promise.resolve(undefined)).then((counters) => {
      if (counters) send({ type: 'stopped', counters });
      setTimeout(() => process.exit(0), 100);
    });
  }
});
// The parent went away: nothing left to report to.
process.on('disconnect', () => process.exit(0));
