/**
 * The gateway's own QoS 1 publishes on one connection (desired deltas, commands): they share
 * the packet ids and the client's Receive Maximum, whichever topic they go to. A topic that
 * finds no room waits and is asked to send again when a PUBACK frees some.
 */
export class OutboundFlight {
  /** Unacknowledged packet ids and what to do when each is acknowledged. */
  private readonly inFlight = new Map<number, () => void>();
  private readonly flushers: Array<() => void> = [];
  private nextId = 0;

  /** `receiveMaximum`: the client's (MQTT 5; 3.1.1 has none, 65,535 is the spec's default). */
  constructor(private readonly receiveMaximum: number) {}

  /** `flush` is called after every PUBACK that freed room. */
  onRoom(flush: () => void): void {
    this.flushers.push(flush);
  }

  /** A packet id for the next publish, or null while the client has as many as it allows. */
  take(onAck: () => void = () => undefined): number | null {
    if (this.inFlight.size >= this.receiveMaximum) return null;
    // Packet ids run 1..65535 and skip the ones still unacknowledged (spec 2.2.1).
    do this.nextId = (this.nextId % 0xffff) + 1;
    while (this.inFlight.has(this.nextId));
    this.inFlight.set(this.nextId, onAck);
    return this.nextId;
  }

  /** A PUBACK from the client; one for an id not in flight is ignored. */
  acked(messageId: number): void {
    const onAck = this.inFlight.get(messageId);
    if (!onAck) return;
    this.inFlight.delete(messageId);
    onAck();
    for (const flush of this.flushers) flush();
  }
}
