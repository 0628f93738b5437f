import { signedValues201 } from '../../twins/sessions';
import { profileSummary, type ReportedProfile201 } from '../../twins/smart-charging';
import { invalidSignatures } from './meter-signatures';
import { energyWh, latestReadings201, meterOutcome201, type MeterValue201 } from './meter-values';
import type { EventData201 } from './station-alarms';
import { commonActions, type ActionContext, type ActionHandler } from './station-action';

/** An idToken's idTokenInfo: from the tenant's OCPI tokens when it roams, else Accepted (docs/ocpp.md). */
const idTokenInfo = async (ctx: ActionContext, idToken: { idToken: string; type: string }) => ({
  idTokenInfo: {
    status: ctx.idTagStatus ? await ctx.idTagStatus(idToken.idToken, idToken.type) : 'Accepted',
  },
});

interface TransactionEvent {
  eventType: 'Started' | 'Updated' | 'Ended';
  timestamp: string;
  triggerReason: string;
  seqNo: number;
  transactionInfo: { transactionId: string; chargingState?: string; stoppedReason?: string };
  idToken?: { idToken: string; type: string };
  evse?: { id: number; connectorId?: number };
  meterValue?: MeterValue201[];
}

const transactionEvent: ActionHandler = async (p: TransactionEvent, ctx) => {
  const info = p.transactionInfo;
  const readings = latestReadings201(p.meterValue ?? []);
  const signed = await ctx.signatures.check(ctx.key, signedValues201(p.meterValue ?? []));
  const stored = await ctx.sessions.record201(
    ctx.key,
    {
      transactionId: info.transactionId,
      seqNo: p.seqNo,
      eventType: p.eventType,
      triggerReason: p.triggerReason,
      at: p.timestamp,
      evseId: p.evse?.id ?? null,
      connectorId: p.evse?.connectorId ?? null,
      idTag: p.idToken?.idToken ?? null,
      meterWh: energyWh(readings),
      stopReason: info.stoppedReason ?? null,
      signed,
      payload: p as unknown as Record<string, unknown>,
    },
    p.idToken ? await idTokenInfo(ctx, p.idToken) : {},
    ctx.now(),
  );
  // Readings are told as MeterValues are, also by a retried event (telemetry skips samples it
  // has, the twin keeps its newer readings): a first try that failed after the store wrote
  // the event loses none. The evse is named once per transaction; the store remembers it.
  const meter = meterOutcome201(p.meterValue ?? [], p.evse?.id ?? stored.evseId ?? 0);
  // A retried event raises what its first try raised (one alarm per transaction either way).
  const alarms = invalidSignatures(info.transactionId, signed);
  const raised = alarms ? { alarms } : {};
  if (stored.duplicate) return { ...meter, answer: stored.answer, ...raised };
  if (stored.gap)
    ctx.logger.warn({ transactionId: info.transactionId, seqNo: p.seqNo }, 'transaction event gap');
  const ended = p.eventType === 'Ended';
  const evseId = p.evse?.id ?? (stored.late ? null : stored.evseId);
  const chargingState = ended ? null : info.chargingState;
  const evse =
    evseId !== null
      ? {
          evses: {
            [evseId]: {
              transactionId: ended ? null : info.transactionId,
              ...(chargingState !== undefined ? { chargingState } : {}),
            },
          },
        }
      : {};
  return { ...meter, answer: stored.answer, report: { ...evse, ...meter.report }, ...raised };
};

/** What OCPP 2.0.1 stations may ask, besides BootNotification (the endpoint handles that). */
export const actions201: Record<string, ActionHandler> = {
  ...commonActions,
  StatusNotification: async (p: {
    evseId: number;
    connectorId: number;
    connectorStatus: string;
  }) => ({
    answer: {},
    report: {
      evses: { [p.evseId]: { connectors: { [p.connectorId]: { status: p.connectorStatus } } } },
    },
  }),
  MeterValues: async (p: { evseId: number; meterValue: MeterValue201[] }) => ({
    answer: {},
    ...meterOutcome201(p.meterValue, p.evseId),
  }),
  Authorize: async (p: { idToken: { idToken: string; type: string } }, ctx) => ({
    answer: await idTokenInfo(ctx, p.idToken),
  }),
  TransactionEvent: transactionEvent,
  /**
   * A station's answer to GetChargingProfiles, in as many messages as it likes (`tbc`): each
   * lands in reported state under `<evseId>/<source>`, flattened (profileSummary), so the
   * latest report per EVSE and source is what the twin shows (docs/smart-charging.md).
   */
  ReportChargingProfiles: async (p: {
    requestId: number;
    chargingLimitSource: string;
    evseId: number;
    chargingProfile: ReportedProfile201[];
    tbc?: boolean;
  }) => ({
    answer: {},
    report: {
      chargingProfiles: {
        [`${p.evseId}/${p.chargingLimitSource}`]: {
          requestId: p.requestId,
          profiles: p.chargingProfile.map(profileSummary),
        },
      },
    },
  }),
  /** Events may raise or clear alarms: monitors set for rules, variables the profile maps. */
  NotifyEvent: async (p: { eventData: EventData201[] }) => ({
    answer: {},
    alarms: { kind: 'events', events: p.eventData },
  }),
};
