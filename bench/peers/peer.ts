/** What every peer server gives back when started: where to reach it and how to stop it. */
export interface Peer {
  /** The main URL (ws://… for WebSocket peers, mqtt://… for TCP MQTT). */
  url: string;
  /** Other listeners of the same server (e.g. Mosquitto's WebSocket listener). */
  urls?: Record<string, string>;
  /** The server's process when it is not this one (external brokers). */
  pid?: number;
  stop(): Promise<void>;
}
