/** The IPC messages between the load generator's parent and its worker processes. */
import type { Device, Target } from './protocols';

export type WorkerCommand =
  | { cmd: 'open'; set: number; target: Target; devices: Device[]; localAddresses: string[] }
  | {
      cmd: 'run';
      set: number;
      /** Unacknowledged messages allowed per connection. */
      window: number;
      startAtEpochMs: number;
      warmupMs: number;
      durationMs: number;
      mode: 'closed' | 'open';
      /** Open loop: this worker's share of the total rate. */
      ratePerSecond: number;
    }
  | { cmd: 'close'; set: number }
  | { cmd: 'exit' };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'opened'; ok: number; failed: number; firstError?: string }
  | {
      type: 'result';
      acked: number;
      errors: number;
      inFlightAtEnd: number;
      /** HdrHistogram of ack latency in µs, compressed base64. */
      histogram: string;
      /** Open loop: how late the generator sent each message after its due time, µs. */
      lateness: string;
    }
  | { type: 'closed' }
  | { type: 'failed'; error: string };
