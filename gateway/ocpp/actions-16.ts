import { signedValues16 } from '../../twins/sessions';
import { firmwareProgressOf } from './firmware-update';
import { invalidSignatures } from './meter-signatures';
import { meterOutcome16, type MeterValue16 } from './meter-values';
import { commonActions, type ActionContext, type ActionHandler } from './station-action';

/** What a stop is answered: a station must be able to end what it started. */
const ACCEPTED = { idTagInfo: { status: 'Accepted' } };

/** An idTag's idTagInfo: from the tenant's OCPI tokens when it roams, else Accepted (docs/ocpp.md). */
const idTagInfo = async (ctx: ActionContext, idTag: string) => ({
  idTagInfo: { status: ctx.idTagStatus ? await ctx.idTagStatus(idTag) : 'Accepted' },
});

/** What OCPP 1.6 stations may ask, besides BootNotification (the endpoint handles that). */
export const actions16: Record<string, ActionHandler> = {
  ...commonActions,
  StatusNotification: async (p: {
    connectorId: number;
    status: string;
    errorCode: string;
    info?: string;
    vendorErrorCode?: string;
    timestamp?: string;
  }) => ({
    answer: {},
    report: { connectors: { [p.connectorId]: { status: p.status, errorCode: p.errorCode } } },
    alarms: {
      kind: 'status16',
      connectorId: p.connectorId,
      errorCode: p.errorCode,
      info: p.info,
      vendorErrorCode: p.vendorErrorCode,
      at: p.timestamp,
    },
  }),
  MeterValues: async (
    p: { connectorId: number; transactionId?: number; meterValue: MeterValue16[] },
    ctx,
  ) => {
    // Signed values (OCMF) of a running transaction wait for its record, byte for byte, each
    // checked against the station's meter key; an invalid one raises the alarm.
    if (p.transactionId === undefined)
      return { answer: {}, ...meterOutcome16(p.meterValue, p.connectorId) };
    const signed = await ctx.signatures.check(ctx.key, signedValues16(p.meterValue));
    await ctx.sessions.signed16(ctx.key, p.transactionId, signed);
    const alarms = invalidSignatures(String(p.transactionId), signed);
    return {
      answer: {},
      ...meterOutcome16(p.meterValue, p.connectorId),
      ...(alarms ? { alarms } : {}),
    };
  },
  Authorize: async (p: { idTag: string }, ctx) => ({ answer: await idTagInfo(ctx, p.idTag) }),
  StartTransaction: async (
    p: { connectorId: number; idTag: string; meterStart: number; timestamp: string },
    ctx,
  ) => {
    // The station started it: it is recorded whatever the idTag's status (the station stops a
    // transaction of a refused idTag itself: StopTransactionOnInvalidId).
    const info = await idTagInfo(ctx, p.idTag);
    const transactionId = await ctx.sessions.start16(ctx.key, {
      connectorId: p.connectorId,
      idTag: p.idTag,
      meterStartWh: p.meterStart,
      at: p.timestamp,
      // With a primary backend, the station uses the transactionId the backend handed out.
      ...(typeof ctx.primary?.transactionId === 'number'
        ? { transactionId: ctx.primary.transactionId }
        : {}),
    });
    return {
      answer: { transactionId, ...info },
      report: { connectors: { [p.connectorId]: { transactionId } } },
    };
  },
  StopTransaction: async (
    p: {
      transactionId: number;
      meterStop: number;
      timestamp: string;
      reason?: string;
      idTag?: string;
      transactionData?: MeterValue16[];
    },
    ctx,
  ) => {
    const signed = await ctx.signatures.check(ctx.key, signedValues16(p.transactionData ?? []));
    const stopped = await ctx.sessions.stop16(
      ctx.key,
      {
        transactionId: p.transactionId,
        meterStopWh: p.meterStop,
        at: p.timestamp,
        reason: p.reason ?? null,
        idTag: p.idTag ?? null,
        signed,
        payload: p as unknown as Record<string, unknown>,
      },
      ctx.now(),
    );
    if (!stopped.ended)
      ctx.logger.warn({ transactionId: p.transactionId }, 'stop that ended no running session');
    // The readings belong to the session's connector, also when a retried stop brings them
    // again (telemetry skips samples it has; the twin keeps its newer readings).
    const meter = meterOutcome16(p.transactionData ?? [], stopped.connectorId ?? 0);
    const ended =
      stopped.ended && stopped.connectorId !== null
        ? { connectors: { [stopped.connectorId]: { transactionId: null } } }
        : {};
    const alarms = invalidSignatures(String(p.transactionId), signed);
    // A stop is always accepted: the station must be able to end what it started.
    return {
      ...meter,
      answer: ACCEPTED,
      report: { ...ended, ...meter.report },
      ...(alarms ? { alarms } : {}),
    };
  },
  DiagnosticsStatusNotification: async (p: { status: string }, ctx) => {
    await ctx.logStatus?.(null, p.status);
    return { answer: {}, report: { diagnosticsStatus: p.status } };
  },
  SignedFirmwareStatusNotification: async (p: { status: string }) => ({
    answer: {},
    report: { firmwareStatus: p.status, firmwareProgress: firmwareProgressOf(p.status) },
  }),
};
