import type { Logger } from 'pino';
import type { DeviceKey } from '../../twins/ids';
import type { ChargingSessionStore } from '../../db/charging-session-store';
import { firmwareProgressOf } from './firmware-update';
import type { MeterSignatures } from './meter-signatures';
import type { StationFacts } from './station-alarms';

/** What a station's CALL may use: who sent it, the session store, a clock. */
export interface ActionContext {
  key: DeviceKey;
  sessions: ChargingSessionStore;
  /** Checks signed meter values against the station's registered meter key. */
  signatures: MeterSignatures;
  logger: Logger;
  now(): string;
  /** The primary backend's answer to this CALL when the station has one (it is what the station hears). */
  primary?: Record<string, unknown> | undefined;
  /** Records a log upload's progress on its request (OCPP 1.6 names no request: null). */
  logStatus?: ((requestNumber: number | null, status: string) => Promise<void>) | undefined;
  /**
   * The OCPP authorisation status of an idTag (2.0.1: with its idToken type): `Accepted` unless
   * the tenant roams over OCPI (gateway/ocpp/id-tag-authorization.ts).
   */
  idTagStatus?: ((idTag: string, type?: string) => Promise<string>) | undefined;
}

/** The CALLRESULT payload, and what the twin should learn (sent before the answer). */
export interface ActionOutcome {
  answer: Record<string, unknown>;
  report?: Record<string, unknown>;
  /** Measurements for the telemetry store, committed before the station is answered. */
  telemetry?: Array<{ at: string; values: Record<string, unknown>; channel: string }>;
  /** What may raise or clear alarms (docs/ocpp.md, "Alarms on the station"), committed before the answer. */
  alarms?: StationFacts;
}

/** One action's handling; the payload has passed the official schema. */
export type ActionHandler = (payload: any, ctx: ActionContext) => Promise<ActionOutcome>;

export const answerOnly = (answer: Record<string, unknown>): ActionOutcome => ({ answer });

/** Handlers both versions share, where the messages are the same. */
export const commonActions: Record<string, ActionHandler> = {
  Heartbeat: async (_, ctx) => answerOnly({ currentTime: ctx.now() }),
  FirmwareStatusNotification: async (p: { status: string }) => ({
    answer: {},
    report: { firmwareStatus: p.status, firmwareProgress: firmwareProgressOf(p.status) },
  }),
  LogStatusNotification: async (p: { status: string; requestId?: number }, ctx) => {
    await ctx.logStatus?.(p.requestId ?? null, p.status);
    return { answer: {}, report: { logStatus: p.status } };
  },
  SecurityEventNotification: async (p: { type: string; timestamp: string; techInfo?: string }) => ({
    answer: {},
    report: {
      lastSecurityEvent: { type: p.type, at: p.timestamp, techInfo: p.techInfo ?? null },
    },
  }),
  DataTransfer: async (p: { vendorId: string; messageId?: string; data?: unknown }) => ({
    answer: { status: 'Accepted' },
    report: {
      dataTransfer: { vendorId: p.vendorId, messageId: p.messageId ?? null, data: p.data ?? null },
    },
  }),
};
