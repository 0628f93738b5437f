import { parser as createParser, type Packet } from 'mqtt-packet';
import { mqttError } from './reason-codes';

/** Bytes of the remaining-length field that encodes `length` (spec 2.2.3). */
const lengthBytes = (length: number) =>
  length < 0x80 ? 1 : length < 0x4000 ? 2 : length < 0x200000 ? 3 : 4;

/**
 * Turns WebSocket frames into MQTT packets. mqtt-packet's parser is streaming: a packet may
 * span frames and a frame may hold several packets. It knows no size limit, so this wrapper
 * enforces the Maximum Packet Size both on whole packets and on the bytes it holds for an
 * unfinished one, which keeps a connection's memory bounded by the limit.
 */
export class PacketStream {
  private readonly parser = createParser();
  private failure: Error | null = null;

  constructor(
    private readonly maxPacketBytes: number,
    private readonly onPacket: (packet: Packet) => void,
  ) {
    this.parser.on('packet', (packet: Packet) => {
      if (this.failure) return;
      const length = packet.length ?? 0;
      if (1 + lengthBytes(length) + length > this.maxPacketBytes) {
        this.failure = tooLarge(this.maxPacketBytes);
        return;
      }
      this.onPacket(packet);
    });
    this.parser.on('error', (error: unknown) => {
      this.failure ??= mqttError(
        'malformed-packet',
        error instanceof Error ? error.message : 'malformed packet',
      );
    });
  }

  /** Parses a frame; throws the first problem (malformed or oversized packet). */
  write(frame: Buffer): void {
    const buffered = this.parser.parse(frame);
    if (!this.failure && buffered > this.maxPacketBytes)
      this.failure = tooLarge(this.maxPacketBytes);
    if (this.failure) throw this.failure;
  }
}

const tooLarge = (max: number) =>
  mqttError('packet-too-large', `a packet may be at most ${max} bytes`);
