import { RPCClient } from 'ocpp-rpc';
import { flightRecorder } from './flight-recorder';

export type OcppVersion = 'ocpp1.6' | 'ocpp2.0.1';

/** The part of ocpp-rpc's client the tests use, typed (its own typings say `unknown`). */
export interface Station {
  readonly protocol: string;
  call(method: string, params?: unknown): Promise<any>;
  handle(handler: (call: { method: string; params: any }) => unknown): void;
  close(options?: { code?: number; force?: boolean }): Promise<unknown>;
  once(event: 'close', listener: (info: { code: number; reason: string }) => void): void;
}

/** A real ocpp-rpc station connected to the gateway's OCPP endpoint (`…/ocpp`). */
export async function connectStation(
  ocppUrl: string,
  version: OcppVersion,
  identity: string,
  /** A Buffer is sent byte for byte (a 1.6 AuthorizationKey decodes to bytes). */
  password: string | Buffer | null,
  tenantId?: string,
): Promise<Station> {
  const options = {
    endpoint: tenantId ? `${ocppUrl}/${tenantId}` : ocppUrl,
    identity,
    ...(password !== null ? { password } : {}),
    protocols: [version],
    reconnect: false,
  };
  const client = new RPCClient(options as ConstructorParameters<typeof RPCClient>[0]);
  // The station's side of a close, next to the stack's log when a test fails.
  client.on('disconnect', ({ code, reason }: { code: number; reason: unknown }) =>
    flightRecorder.write(
      `station ${identity} (${version}) saw the connection close at ${new Date().toISOString()}: ${code} ${String(reason)}\n`,
    ),
  );
  client.on('socketError', (err: Error) =>
    flightRecorder.write(`station ${identity} (${version}) socket error: ${String(err)}\n`),
  );
  await client.connect();
  flightRecorder.write(
    `station ${identity} (${version}) connected at ${new Date().toISOString()} from port ${(client as any)._ws?._socket?.localPort}\n`,
  );
  return client as unknown as Station;
}

export const bootPayload = (version: OcppVersion, firmwareVersion = 'fw-1.6.3') =>
  version === 'ocpp1.6'
    ? { chargePointVendor: 'Doppel', chargePointModel: 'AC-22', firmwareVersion }
    : {
        reason: 'PowerUp',
        chargingStation: { vendorName: 'Doppel', model: 'AC-22', firmwareVersion },
      };

/** 'answered', or the CALLERROR code (or close code) the call failed with. */
export const rpcCode = (promise: Promise<unknown>) =>
  promise.then(
    () => 'answered',
    (err: { rpcErrorCode?: string; code?: number }) => err.rpcErrorCode ?? err.code,
  );
