/**
 * An OCPP-J charging station (1.6 or 2.0.1) on a real ocpp-rpc RPCClient: boot (retried
 * while Pending), heartbeats at the interval the gateway gives, connector status, charging
 * sessions with meter values (1.6 Start/MeterValues/StopTransaction; 2.0.1 TransactionEvent
 * Started/Updated/Ended with seqNo), faults, and the server's calls — UpdateFirmware runs
 * Downloading → Downloaded → Installing → Installed and reboots into the new version, or fails
 * or goes silent at the configured rates.
 */
import { RPCClient } from 'ocpp-rpc';
import type { ReadyDevice } from '../plan';
import { SimulatedDevice, type DeviceContext } from '../simulated-device';

type Version = 'ocpp1.6' | 'ocpp2.0.1';
type Handler = (call: { method: string; params: any }) => unknown;

/** The part of ocpp-rpc's client used here (its typings are loose). */
interface Rpc {
  connect(): Promise<unknown>;
  call(method: string, params?: unknown): Promise<any>;
  handle(method: string, handler: Handler): void;
  close(options?: { code?: number; force?: boolean }): Promise<unknown>;
  on(event: 'close', listener: () => void): void;
  on(event: 'error', listener: (error: unknown) => void): void;
}

interface Transaction {
  id: string | number;
  seqNo: number;
  powerW: number;
}

/** `https://…/fw-1.7.0.bin` → `fw-1.7.0`: the version a station reports after installing it. */
export function firmwareVersionOf(location: string, current: string): string {
  const name = decodeURIComponent(location.split(/[?#]/)[0]!.split('/').pop() ?? '');
  const version = name.replace(/(\.(bin|img|tar|gz|tgz|zip|fw|hex|swu))+$/i, '');
  if (version && version !== current) return version.slice(0, 50);
  const bumped = current.replace(/(\d+)(?!.*\d)/, (n) => String(Number(n) + 1));
  return bumped === current ? `${current}.1` : bumped;
}

export class OcppCharger extends SimulatedDevice {
  private readonly version: Version;
  private client: Rpc | undefined;
  private firmware = 'sim-1.0.0';
  private bootReason = 'PowerUp';
  private heartbeatS: number;
  private meterWh: number;
  private tx: Transaction | undefined;
  private faulted = false;
  private updatingFirmware = false;

  constructor(ctx: DeviceContext, spec: ReadyDevice) {
    super(ctx, spec);
    this.version = spec.kind === 'ocpp16' ? 'ocpp1.6' : 'ocpp2.0.1';
    this.heartbeatS = ctx.options.rates.heartbeatFallbackS;
    this.meterWh = Math.round(this.rng.between(0, 5_000_000));
  }

  protected async open(): Promise<void> {
    const { options } = this.ctx;
    const client = new RPCClient({
      endpoint: `${options.gateway}/ocpp/${options.tenant}`,
      identity: this.spec.deviceId,
      password: this.spec.token,
      protocols: [this.version],
      reconnect: false,
      callTimeoutMs: 30_000,
      wsOpts: this.spec.localAddress ? { localAddress: this.spec.localAddress } : {},
    } as ConstructorParameters<typeof RPCClient>[0]) as unknown as Rpc;
    this.client = client;
    this.installHandlers(client);
    client.on('error', () => {});
    client.on('close', () => {
      if (this.client === client) this.lost();
    });
    await client.connect();
    this.setConnected(true);
    await this.boot(client);
    this.setBooted(true);
    this.every(this.heartbeatS * 1000, () => void this.send(() => client.call('Heartbeat', {})));
    await this.status(this.faulted ? 'Faulted' : 'Available');
    this.scheduleSession();
    this.scheduleFault();
    this.after(
      this.nextEventMs(this.ctx.options.rates.dropsPerHour),
      () => void client.close({ code: 1001, force: true }),
    );
  }

  protected async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.close({ force: true });
  }

  protected onLost(): void {
    this.endSessionAbruptly();
    this.updatingFirmware = false;
  }

  private async boot(client: Rpc): Promise<void> {
    const payload =
      this.version === 'ocpp1.6'
        ? {
            chargePointVendor: 'Doppel-Sim',
            chargePointModel: this.spec.model,
            chargePointSerialNumber: this.spec.deviceId,
            firmwareVersion: this.firmware,
          }
        : {
            reason: this.bootReason,
            chargingStation: {
              vendorName: 'Doppel-Sim',
              model: this.spec.model,
              serialNumber: this.spec.deviceId,
              firmwareVersion: this.firmware,
            },
          };
    for (let attempt = 0; attempt < 20; attempt++) {
      this.ctx.counters.messages++;
      const answer = await client.call('BootNotification', payload);
      this.ctx.counters.acks++;
      if (answer?.status === 'Accepted') {
        if (Number(answer.interval) > 0) this.heartbeatS = Number(answer.interval);
        this.bootReason = 'PowerUp';
        return;
      }
      await new Promise((r) => setTimeout(r, Math.max(1, Number(answer?.interval) || 10) * 1000));
    }
    throw new Error('BootNotification never accepted');
  }

  private installHandlers(client: Rpc): void {
    const v16 = this.version === 'ocpp1.6';
    client.handle('UpdateFirmware', ({ params }) => {
      if (this.updatingFirmware) return v16 ? {} : { status: 'Rejected' };
      const location: string = v16 ? params.location : params.firmware?.location;
      this.after(100, () => this.updateFirmware(client, location ?? '', params.requestId));
      return v16 ? {} : { status: 'Accepted' };
    });
    client.handle('Reset', () => {
      this.after(500, () => this.reboot('RemoteReset'));
      return { status: 'Accepted' };
    });
    client.handle('ChangeConfiguration', ({ params }) => {
      if (params.key === 'HeartbeatInterval' && Number(params.value) > 0)
        this.heartbeatS = Number(params.value);
      return { status: 'Accepted' };
    });
    client.handle('SetVariables', ({ params }) => ({
      setVariableResult: (params.setVariableData ?? []).map((d: any) => ({
        attributeStatus: 'Accepted',
        component: d.component,
        variable: d.variable,
      })),
    }));
    const remoteStart = () => {
      if (this.tx || this.faulted || this.updatingFirmware) return { status: 'Rejected' };
      this.after(100, () => void this.startSession());
      return { status: 'Accepted' };
    };
    const remoteStop = () => {
      if (!this.tx) return { status: 'Rejected' };
      this.after(100, () => void this.stopSession('Remote'));
      return { status: 'Accepted' };
    };
    client.handle('RemoteStartTransaction', remoteStart);
    client.handle('RequestStartTransaction', remoteStart);
    client.handle('RemoteStopTransaction', remoteStop);
    client.handle('RequestStopTransaction', remoteStop);
    client.handle('TriggerMessage', ({ params }) => {
      const what = params.requestedMessage;
      if (what === 'Heartbeat')
        this.after(10, () => void this.send(() => client.call('Heartbeat', {})));
      else if (what === 'StatusNotification')
        this.after(10, () => void this.status(this.tx ? 'Charging' : 'Available'));
      else return { status: 'NotImplemented' };
      return { status: 'Accepted' };
    });
  }

  /** Closes the connection; the reconnect boots again (with a new firmware version, if any). */
  private reboot(reason: string): void {
    this.bootReason = reason;
    void this.client?.close({ code: 1000, force: true });
  }

  private status(status: 'Available' | 'Preparing' | 'Charging' | 'Finishing' | 'Faulted') {
    const client = this.client;
    if (!client) return Promise.resolve(undefined);
    const payload =
      this.version === 'ocpp1.6'
        ? {
            connectorId: 1,
            errorCode: status === 'Faulted' ? 'GroundFailure' : 'NoError',
            status,
            timestamp: new Date().toISOString(),
          }
        : {
            timestamp: new Date().toISOString(),
            connectorStatus:
              status === 'Faulted' ? 'Faulted' : status === 'Available' ? 'Available' : 'Occupied',
            evseId: 1,
            connectorId: 1,
          };
    return this.send(() => client.call('StatusNotification', payload));
  }

  private scheduleSession(): void {
    const { sessionIntervalS } = this.ctx.options.rates;
    this.after(this.rng.exponential(sessionIntervalS * 1000), () => {
      if (this.tx || this.faulted || this.updatingFirmware) this.scheduleSession();
      else void this.startSession();
    });
  }

  private scheduleFault(): void {
    const { faultsPerHour, faultDurationS } = this.ctx.options.rates;
    this.after(this.nextEventMs(faultsPerHour), () => {
      if (this.tx || this.updatingFirmware || this.faulted) return this.scheduleFault();
      this.faulted = true;
      this.ctx.counters.faults++;
      void this.status('Faulted');
      this.after(this.rng.jitter(faultDurationS * 1000, 0.3), () => {
        this.faulted = false;
        void this.status('Available');
        this.scheduleFault();
      });
    });
  }

  private sampled(context: string, powerW: number) {
    const timestamp = new Date().toISOString();
    if (this.version === 'ocpp1.6')
      return {
        timestamp,
        sampledValue: [
          {
            value: String(Math.round(this.meterWh)),
            context,
            measurand: 'Energy.Active.Import.Register',
            unit: 'Wh',
          },
          {
            value: String(Math.round(powerW)),
            context,
            measurand: 'Power.Active.Import',
            unit: 'W',
          },
        ],
      };
    return {
      timestamp,
      sampledValue: [
        {
          value: Math.round(this.meterWh),
          context,
          measurand: 'Energy.Active.Import.Register',
          unitOfMeasure: { unit: 'Wh' },
        },
        {
          value: Math.round(powerW),
          context,
          measurand: 'Power.Active.Import',
          unitOfMeasure: { unit: 'W' },
        },
      ],
    };
  }

  private async startSession(): Promise<void> {
    const client = this.client;
    if (!client || this.tx) return;
    const { rates } = this.ctx.options;
    const powerW = Math.round(
      this.rng.between(3_600, this.version === 'ocpp1.6' ? 22_000 : 150_000),
    );
    const idTag = `SIM${String(this.spec.index).padStart(6, '0')}`;
    let id: string | number;
    if (this.version === 'ocpp1.6') {
      await this.status('Preparing');
      const answer = await this.send(() =>
        client.call('StartTransaction', {
          connectorId: 1,
          idTag,
          meterStart: Math.round(this.meterWh),
          timestamp: new Date().toISOString(),
        }),
      );
      if (answer?.transactionId === undefined || this.client !== client) return;
      id = answer.transactionId;
    } else {
      await this.status('Preparing');
      id = `${this.spec.deviceId}-${Date.now().toString(36)}`.slice(-36);
      const answer = await this.send(() =>
        client.call('TransactionEvent', {
          eventType: 'Started',
          timestamp: new Date().toISOString(),
          triggerReason: 'Authorized',
          seqNo: 0,
          transactionInfo: { transactionId: id, chargingState: 'Charging' },
          evse: { id: 1, connectorId: 1 },
          idToken: { idToken: idTag, type: 'ISO14443' },
          meterValue: [this.sampled('Transaction.Begin', 0)],
        }),
      );
      if (answer === undefined || this.client !== client) return;
    }
    this.tx = { id, seqNo: 1, powerW };
    this.ctx.counters.sessionsStarted++;
    this.ctx.counters.charging++;
    if (this.version === 'ocpp1.6') await this.status('Charging');
    const length = this.rng.between(rates.sessionMinS, rates.sessionMaxS) * 1000;
    const started = Date.now();
    const meter = () => {
      const tx = this.tx;
      if (!tx || this.client !== client) return;
      this.meterWh += (tx.powerW * rates.meterIntervalS) / 3600;
      if (Date.now() - started >= length) return void this.stopSession('Local');
      if (this.version === 'ocpp1.6')
        void this.send(() =>
          client.call('MeterValues', {
            connectorId: 1,
            transactionId: tx.id,
            meterValue: [this.sampled('Sample.Periodic', tx.powerW)],
          }),
        );
      else
        void this.send(() =>
          client.call('TransactionEvent', {
            eventType: 'Updated',
            timestamp: new Date().toISOString(),
            triggerReason: 'MeterValuePeriodic',
            seqNo: tx.seqNo++,
            transactionInfo: { transactionId: tx.id, chargingState: 'Charging' },
            meterValue: [this.sampled('Sample.Periodic', tx.powerW)],
          }),
        );
      this.after(rates.meterIntervalS * 1000, meter);
    };
    this.after(Math.min(length, rates.meterIntervalS * 1000), meter);
  }

  private async stopSession(reason: 'Local' | 'Remote'): Promise<void> {
    const client = this.client;
    const tx = this.tx;
    if (!client || !tx) return;
    this.tx = undefined;
    this.ctx.counters.charging--;
    if (this.version === 'ocpp1.6') {
      await this.status('Finishing');
      await this.send(() =>
        client.call('StopTransaction', {
          transactionId: tx.id,
          meterStop: Math.round(this.meterWh),
          timestamp: new Date().toISOString(),
          reason,
          transactionData: [this.sampled('Transaction.End', 0)],
        }),
      );
    } else {
      await this.send(() =>
        client.call('TransactionEvent', {
          eventType: 'Ended',
          timestamp: new Date().toISOString(),
          triggerReason: reason === 'Remote' ? 'RemoteStop' : 'EVCommunicationLost',
          seqNo: tx.seqNo++,
          transactionInfo: { transactionId: tx.id, chargingState: 'Idle', stoppedReason: reason },
          meterValue: [this.sampled('Transaction.End', 0)],
        }),
      );
    }
    this.ctx.counters.sessionsCompleted++;
    await this.status('Available');
    if (this.client === client) this.scheduleSession();
  }

  private endSessionAbruptly(): void {
    if (!this.tx) return;
    this.tx = undefined;
    this.ctx.counters.charging--;
  }

  /** The firmware flow; a failure or a silent stop is decided up front from the seeded rates. */
  private updateFirmware(client: Rpc, location: string, requestId?: number): void {
    const { firmwareStepS, firmwareFailureRate, firmwareTimeoutRate } = this.ctx.options.rates;
    if (this.tx) void this.stopSession('Local');
    this.updatingFirmware = true;
    this.ctx.counters.firmwareStarted++;
    const roll = this.rng.next();
    const outcome =
      roll < firmwareFailureRate
        ? this.rng.chance(0.5)
          ? 'DownloadFailed'
          : 'InstallationFailed'
        : roll < firmwareFailureRate + firmwareTimeoutRate
          ? 'silent'
          : 'Installed';
    const steps = ['Downloading', 'Downloaded', 'Installing', 'Installed'];
    const path =
      outcome === 'DownloadFailed'
        ? ['Downloading', 'DownloadFailed']
        : outcome === 'InstallationFailed'
          ? ['Downloading', 'Downloaded', 'Installing', 'InstallationFailed']
          : outcome === 'silent'
            ? ['Downloading']
            : steps;
    const notify = (status: string) =>
      this.send(() =>
        client.call(
          'FirmwareStatusNotification',
          this.version === 'ocpp1.6'
            ? { status }
            : { status, ...(requestId !== undefined ? { requestId } : {}) },
        ),
      );
    const step = (i: number) => {
      if (this.client !== client) return;
      const status = path[i]!;
      void notify(status).then(() => {
        if (i + 1 < path.length)
          return this.after(this.rng.jitter(firmwareStepS * 1000, 0.3), () => step(i + 1));
        this.updatingFirmware = false;
        if (outcome === 'silent') this.ctx.counters.firmwareTimedOut++;
        else if (outcome !== 'Installed') this.ctx.counters.firmwareFailed++;
        else {
          this.ctx.counters.firmwareDone++;
          this.firmware = firmwareVersionOf(location, this.firmware);
          this.after(this.rng.jitter(firmwareStepS * 1000, 0.3), () =>
            this.reboot('FirmwareUpdate'),
          );
        }
      });
    };
    step(0);
  }
}
