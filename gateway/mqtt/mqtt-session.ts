import { randomUUID } from 'node:crypto';
import { generate, type IConnectPacket, type Packet } from 'mqtt-packet';
import type { Logger } from 'pino';
import type { OfflineReason } from '../../twins/device';
import { DoppelError } from '../../twins/errors';
import type { DeviceLink, SessionControl } from '../device-links';
import { admitConnect, CONNECT_SEQ } from './admit-connect';
import { CommandTopic } from './command-topic';
import { mqttFirmwareDesired } from './firmware-update';
import { acceptedConnack, refusedConnack } from './connect-request';
import { DesiredTopic } from './desired-topic';
import { InboundPublishes } from './inbound-publishes';
import { KeepAlive } from './keep-alive';
import { OutboundFlight } from './outbound-flight';
import { PacketStream } from './packet-stream';
import { Reason, mqttError, reasonOf } from './reason-codes';
import { WsClose, type SessionHost, type Wire } from './session-host';
import { DeviceSubscriptions } from './subscriptions';
import {
  commandFilter,
  commandResultsTopic,
  commandTopic,
  credentialsTopic,
  desiredTopic,
} from './topics';

/** One MQTT connection: CONNECT, then reports and answers in, deltas and commands out, until it ends. */
export class MqttSession {
  private phase: 'awaiting-connect' | 'connecting' | 'ready' | 'closed' = 'awaiting-connect';
  private version: 4 | 5 = 4;
  private readonly stream: PacketStream;
  /** Packets sent after CONNECT but before CONNACK (allowed, spec 3.1.4): handled once admitted. */
  private readonly held: Packet[] = [];
  private link: DeviceLink | null = null;
  private clientId: string | null = null;
  private inbound: InboundPublishes | null = null;
  private flight: OutboundFlight | null = null;
  private subscriptions: DeviceSubscriptions | null = null;
  private commands: CommandTopic | null = null;
  private hasWill = false;
  /** Set when the end is known before the socket closes (DISCONNECT, missed keep-alive). */
  private endReason: OfflineReason | null = null;
  private clientMaxPacketBytes = Infinity;
  private readonly keepAlive = new KeepAlive();
  /** Bytes received since the last whole packet, counted on the next one. */
  private inBytes = 0;
  private readonly connectTimer: NodeJS.Timeout;

  constructor(
    private readonly host: SessionHost<MqttSession>,
    private readonly wire: Wire,
  ) {
    this.stream = new PacketStream(host.limits.maxPacketBytes, (packet) => this.receive(packet));
    this.connectTimer = setTimeout(() => {
      if (this.phase === 'awaiting-connect') this.end(WsClose.violation, 'no CONNECT in time');
    }, host.connectTimeoutMs);
  }

  private get logger(): Logger {
    return this.link?.logger ?? this.host.links.logger;
  }

  /** A binary WebSocket frame: any number of whole or partial packets. */
  frame(bytes: Buffer): void {
    if (this.phase === 'closed') return;
    this.inBytes += bytes.length;
    try {
      this.stream.write(bytes);
    } catch (error) {
      this.fail(error);
    }
  }

  /** The socket is gone: the twin hears why. */
  closed(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    clearTimeout(this.connectTimer);
    this.keepAlive.stop();
    // Commands without an answer go back to the twin, for the next connection.
    this.commands?.closeAll();
    if (this.clientId) this.host.release(this.clientId, this);
    // Ended without DISCONNECT: a device that left a will is presumed to have failed (spec 3.1.2.5).
    this.link?.close(this.endReason ?? (this.hasWill ? 'will' : 'disconnected'));
  }

  /** The twin or the gateway ends the connection; MQTT 5 hears why first. */
  shutdown(code: number, reason: string): void {
    this.link?.closedByServer();
    const reasonCode =
      code === WsClose.goingAway
        ? Reason.serverShuttingDown
        : code === WsClose.tryAgainLater
          ? Reason.serverBusy
          : Reason.administrativeAction;
    this.disconnect(reasonCode, reason);
    this.end(code, reason);
  }

  /** Another connection with this client id was admitted (spec 3.1.4-3). */
  takeOver(): void {
    this.clientId = null; // the registry entry is the new session's now
    this.endReason = 'disconnected';
    this.disconnect(Reason.sessionTakenOver, 'session taken over');
    this.end(WsClose.normal, 'session taken over');
  }

  private receive(packet: Packet): void {
    if (this.phase === 'closed') return;
    // The history counts the packets after CONNECT and their bytes (frames may split packets).
    this.link?.received(this.inBytes);
    this.inBytes = 0;
    this.keepAlive.heard();
    if (this.phase === 'awaiting-connect') {
      if (packet.cmd !== 'connect') return this.end(WsClose.violation, 'CONNECT must come first');
      return void this.connect(packet).catch((error: unknown) => this.fail(error));
    }
    if (packet.cmd === 'connect') throw mqttError('protocol-error', 'CONNECT was already sent');
    if (this.phase === 'ready') return this.dispatch(packet);
    if (this.held.length >= this.host.limits.receiveMaximum)
      throw mqttError('quota-exceeded', 'too many packets before CONNACK');
    this.held.push(packet);
  }

  private async connect(packet: IConnectPacket): Promise<void> {
    this.phase = 'connecting';
    clearTimeout(this.connectTimer);
    this.version = packet.protocolVersion === 5 ? 5 : 4;
    this.hasWill = packet.will !== undefined;
    this.clientMaxPacketBytes = packet.properties?.maximumPacketSize ?? Infinity;
    // Ready before the twin hears of the connection, which may push a delta or a command at once.
    const send = (publish: Packet) => this.send(publish);
    const flight = new OutboundFlight(packet.properties?.receiveMaximum ?? 0xffff);
    const desired = new DesiredTopic(() => desiredTopic(this.link!.key), flight, send);
    const commands = new CommandTopic(
      () => ({
        filter: commandFilter(this.link!.key),
        of: (id: string) => commandTopic(this.link!.key, id),
        results: commandResultsTopic(this.link!.key),
      }),
      this.version,
      flight,
      send,
    );
    this.commands = commands;
    const control: SessionControl = {
      close: (code, reason) => this.shutdown(code, reason),
      pushDesired: (version, delta) => desired.push(version, delta),
      command: (name, params, timeoutMs, twin) => {
        // A firmware update reaches an MQTT device as a desired firmware; it answers by rebooting.
        const firmware = mqttFirmwareDesired(name, params);
        if (firmware) {
          desired.pushExtra(firmware);
          return Promise.resolve({ status: 'succeeded', result: null });
        }
        return commands.deliver({
          id: twin?.id ?? randomUUID(),
          name,
          params,
          timeoutMs,
          expiresAt: twin?.expiresAt ? Date.parse(twin.expiresAt) : null,
        });
      },
    };
    const outcome = await admitConnect(packet, this.host.links, control, () => this.isClosed(), {
      source: this.wire.source,
    });
    if (!outcome.admitted) {
      if (outcome.refusal) {
        this.host.links.refuse('mqtt', `gateway:mqtt.connect-${outcome.refusal}`);
        this.send(refusedConnack(this.version, outcome.refusal));
      }
      return this.end(WsClose.violation, outcome.refusal ?? 'closed');
    }
    const { request, link } = outcome;
    this.link = link;
    this.flight = flight;
    this.subscriptions = new DeviceSubscriptions([desired, commands], this.version, send);
    this.inbound = new InboundPublishes(
      {
        version: this.version,
        limits: this.host.limits,
        link,
        send: (puback) => this.send(puback),
        refused: (code) => this.host.links.refuse('mqtt', code),
        fail: (error) => this.fail(error),
        answer: (answer) => commands.answer(answer),
        logs: this.host.logs,
      },
      CONNECT_SEQ,
    );
    this.clientId = request.clientId;
    this.host.claim(request.clientId, this)?.takeOver();
    this.send(acceptedConnack(this.version, request, packet, this.host.limits));
    if (request.claim && this.version === 4)
      this.send({
        cmd: 'publish',
        topic: credentialsTopic(request.key),
        payload: JSON.stringify({ token: request.secret }),
        qos: 0,
        retain: false,
        dup: false,
      });
    this.phase = 'ready';
    this.keepAlive.start(packet.keepalive ?? 0, (limitMs) => {
      this.endReason = 'heartbeat-missed';
      this.fail(mqttError('keep-alive-timeout', `no packet within ${limitMs} ms`));
    });
    try {
      for (const held of this.held.splice(0)) if (this.phase === 'ready') this.dispatch(held);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Re-reads the phase after an await: the socket may have closed meanwhile. */
  private isClosed(): boolean {
    return this.phase === 'closed';
  }

  private dispatch(packet: Packet): void {
    switch (packet.cmd) {
      case 'publish':
        return this.inbound!.receive(packet);
      case 'puback':
        return this.flight!.acked(packet.messageId ?? 0);
      case 'subscribe':
        if (this.subscriptions!.subscribe(packet))
          this.host.links.refuse('mqtt', 'gateway:mqtt.subscription-not-allowed');
        return;
      case 'unsubscribe':
        return this.subscriptions!.unsubscribe(packet);
      case 'pingreq':
        return this.send({ cmd: 'pingresp' });
      case 'disconnect':
        // MQTT 5 "disconnect with will message": the device asks to be seen as failed.
        this.endReason = packet.reasonCode === Reason.disconnectWithWill ? 'will' : 'disconnected';
        return this.end(WsClose.normal, 'DISCONNECT');
      default:
        throw mqttError('protocol-error', `a client does not send ${packet.cmd.toUpperCase()}`);
    }
  }

  /** The one place a broken rule ends the connection: MQTT 5 hears the reason code first. */
  private fail(error: unknown): void {
    if (this.phase === 'closed') return;
    // The device hears what it did wrong, never the details of the gateway's own failures.
    const message = error instanceof DoppelError ? error.message : 'the gateway failed';
    this.logger.warn({ err: error }, 'closing MQTT connection');
    this.host.links.refuse('mqtt', error instanceof DoppelError ? error.code : 'gateway:failed');
    this.disconnect(reasonOf(error), message);
    this.end(WsClose.violation, message);
  }

  /** A server DISCONNECT exists in MQTT 5 only, and only after a successful CONNACK (3.14.0-1). */
  private disconnect(reasonCode: number, reasonString: string): void {
    if (this.version !== 5 || this.phase !== 'ready') return;
    this.send({ cmd: 'disconnect', reasonCode, properties: { reasonString } });
  }

  private send(packet: Packet): void {
    if (this.phase === 'closed') return;
    const bytes = generate(packet, { protocolVersion: this.version });
    // The client's Maximum Packet Size binds us too; a delta that does not fit is dropped.
    if (bytes.length > this.clientMaxPacketBytes)
      return this.logger.warn(
        { cmd: packet.cmd, bytes: bytes.length },
        'packet too large for client',
      );
    this.link?.sent(bytes.length);
    this.wire.send(bytes);
  }

  private end(code: number, reason: string): void {
    if (this.phase !== 'closed') this.wire.end(code, reason);
  }
}
