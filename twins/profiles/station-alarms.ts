import { z } from 'zod';
import { SEVERITIES } from '../alarms/rule';

/*
 * The parts of a device profile that push alarms down to OCPP stations (docs/ocpp.md, "Alarms
 * on the station"): which canonical field is which OCPP 2.0.1 component/variable (so threshold
 * rules can become the station's own monitors), and which station error codes and events are
 * which alarm types.
 */

const alarmType = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'a type such as GroundFault or ocpp.GroundFailure');

/** What a station's error or event becomes: the alarm's type and severity. */
export const stationAlarmSchema = z.strictObject({
  alarmType,
  severity: z.enum(SEVERITIES),
});

const ocppName = z.string().min(1).max(50);

/** An OCPP 2.0.1 component/variable a canonical field is measured by. */
export const ocppVariableSchema = z.strictObject({
  component: ocppName,
  componentInstance: ocppName.optional(),
  /** The EVSE (and connector) the component belongs to; left out: the station as a whole. */
  evse: z.number().int().min(0).optional(),
  connector: z.number().int().min(0).optional(),
  variable: ocppName,
  variableInstance: ocppName.optional(),
});

/** The profile's `ocpp` section. */
export const ocppSectionSchema = z.strictObject({
  /** The station supports OCPP 2.0.1 monitoring (SetVariableMonitoring, NotifyEvent). */
  monitoring: z.boolean().default(false),
  /** Canonical field → the component/variable that measures it (rules on it become monitors). */
  variables: z.record(z.string(), ocppVariableSchema).default({}),
});

/** A 2.0.1 event (NotifyEvent) on one component/variable that is an alarm type. */
export const eventAlarmSchema = stationAlarmSchema.extend({
  component: ocppName,
  variable: ocppName,
  /** The values that raise (a Delta of AvailabilityState to Faulted); others clear. Left out: every event raises unless `cleared`. */
  when: z.array(z.string().min(1)).min(1).optional(),
});

/** The profile's `alarms` section. */
export const stationAlarmsSectionSchema = z.strictObject({
  /** 1.6 StatusNotification errorCode → alarm (NoError clears the connector's alarms). */
  errorCodes: z
    .record(z.string(), stationAlarmSchema)
    .refine((codes) => !Object.hasOwn(codes, 'NoError'), {
      message: 'NoError is no error: it clears the connector, it cannot be an alarm',
    })
    .default({}),
  /** What an error code not listed becomes; null: nothing. */
  default: stationAlarmSchema.nullable().default({ alarmType: 'StationFault', severity: 'major' }),
  /** 2.0.1 events → alarm types. */
  events: z.array(eventAlarmSchema).default([]),
});

export type OcppSection = z.output<typeof ocppSectionSchema>;
export type OcppVariable = z.output<typeof ocppVariableSchema>;
export type StationAlarmsSection = z.output<typeof stationAlarmsSectionSchema>;
export type StationAlarm = z.output<typeof stationAlarmSchema>;
