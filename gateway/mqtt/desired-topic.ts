import type { Packet } from 'mqtt-packet';
import type { OutboundFlight } from './outbound-flight';
import type { OwnTopic } from './subscriptions';

/**
 * A device's desired topic: its subscription and the desired-state deltas on their way to it.
 * Only the latest delta matters (each is the whole difference at its shadow version), so while
 * the device has not subscribed, or has as many of our QoS 1 publishes unacknowledged as its
 * Receive Maximum allows, the newest one waits here and replaces any older one.
 */
export class DesiredTopic implements OwnTopic {
  private subscribed = false;
  private waiting: { version: number; state: Record<string, unknown> } | null = null;
  private lastVersion = -1;

  constructor(
    /** Asked only once the session is ready: the device is known by then. */
    private readonly topic: () => string,
    private readonly flight: OutboundFlight,
    private readonly send: (packet: Packet) => void,
  ) {
    flight.onRoom(() => this.flush());
  }

  get filter(): string {
    return this.topic();
  }

  push(version: number, state: Record<string, unknown>): void {
    // Deltas may arrive out of order (activity retries); an older one is already outdated.
    if (version < this.lastVersion || (this.waiting && version < this.waiting.version)) return;
    this.waiting = { version, state };
    this.flush();
  }

  /**
   * Sends a desired change that is not in the shadow (a rollout's firmware): at the newest
   * shadow version this topic knows, merged into a delta still waiting.
   */
  pushExtra(state: Record<string, unknown>): void {
    const version = Math.max(this.lastVersion, this.waiting?.version ?? 0, 0);
    this.waiting = { version, state: { ...this.waiting?.state, ...state } };
    this.flush();
  }

  /** Called after the SUBACK, so the device knows the subscription before the delta arrives. */
  setSubscribed(on: boolean): void {
    this.subscribed = on;
    this.flush();
  }

  private flush(): void {
    if (!this.subscribed || !this.waiting) return;
    const messageId = this.flight.take();
    if (messageId === null) return;
    const { version, state } = this.waiting;
    this.waiting = null;
    this.lastVersion = version;
    this.send({
      cmd: 'publish',
      topic: this.topic(),
      qos: 1,
      dup: false,
      retain: false,
      messageId,
      payload: Buffer.from(JSON.stringify({ version, state })),
    });
  }
}
