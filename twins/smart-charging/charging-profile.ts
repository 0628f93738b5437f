import type { ChargingRateUnit } from './site-limit';

/**
 * The stack level and profile ids load management uses. Stations replace a profile with the
 * same id, or the same stack level and purpose (1.6 §3.13.2, 2.0.1 K01), so re-sending a
 * session's limit replaces the one before it. Ids are per connector (per EVSE in 2.0.1): one
 * id for two connectors would let the second profile replace the first on the station.
 * Operators who set their own TxProfiles use stack levels above this one to override it.
 */
export const LOAD_MANAGER_STACK_LEVEL = 1;
export const LOAD_MANAGER_PROFILE_ID_BASE = 7000;
/**
 * The TxDefaultProfile load management keeps on each station of a limited site: connector
 * (EVSE) 0, so it covers every connector; its own id, outside the TxProfiles' 7000 + n, and
 * the same stack level (a different purpose never replaces it). Operators' own defaults at
 * stack level 0 lie under it; theirs at 2 or more override it.
 */
export const LOAD_MANAGER_DEFAULT_PROFILE_ID = 6000;

export type StationProtocol = 'ocpp1.6' | 'ocpp2.0.1';

/** Where a session's profile goes: the connector (1.6) or EVSE (2.0.1) and its transaction. */
export interface ProfileTarget {
  protocol: StationProtocol;
  /** 1.6: the connector; 2.0.1: the EVSE. */
  connectorId: number;
  /** 1.6: the integer the CSMS handed out; 2.0.1: the station's string id. */
  transactionId: string;
}

export interface ProfileLimit {
  limit: number;
  unit: ChargingRateUnit;
  /** Amperes on 1 or 3 phases; left out for watts (the station then assumes 3). */
  phases?: 1 | 3;
}

/**
 * A `SetChargingProfile` request with a TxProfile that caps one running transaction at a
 * constant limit from now on (Relative kind: counted from the transaction's start, so no
 * clock is needed, and a schedule without duration holds until the transaction ends).
 *
 * @example txProfileRequest({ protocol: 'ocpp1.6', connectorId: 1, transactionId: '42' },
 *   { limit: 7333, unit: 'W' }) // → { connectorId: 1, csChargingProfiles: { … TxProfile … } }
 */
export function txProfileRequest(target: ProfileTarget, limit: ProfileLimit) {
  const period = periodOf(limit);
  const id = LOAD_MANAGER_PROFILE_ID_BASE + target.connectorId;
  if (target.protocol === 'ocpp1.6')
    return {
      connectorId: target.connectorId,
      csChargingProfiles: {
        chargingProfileId: id,
        transactionId: Number(target.transactionId),
        stackLevel: LOAD_MANAGER_STACK_LEVEL,
        chargingProfilePurpose: 'TxProfile',
        chargingProfileKind: 'Relative',
        chargingSchedule: { chargingRateUnit: limit.unit, chargingSchedulePeriod: [period] },
      },
    };
  return {
    evseId: target.connectorId,
    chargingProfile: {
      id,
      stackLevel: LOAD_MANAGER_STACK_LEVEL,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Relative',
      transactionId: target.transactionId,
      chargingSchedule: [{ id, chargingRateUnit: limit.unit, chargingSchedulePeriod: [period] }],
    },
  };
}

/**
 * A `SetChargingProfile` request with load management's TxDefaultProfile on connector (EVSE)
 * 0: what every transaction of the station starts on until its own TxProfile arrives.
 * Relative with no duration: it holds from each transaction's start until replaced.
 *
 * @example txDefaultProfileRequest('ocpp2.0.1', { limit: 0, unit: 'W' })
 *   // → { evseId: 0, chargingProfile: { id: 6000, … TxDefaultProfile … limit: 0 } }
 */
export function txDefaultProfileRequest(protocol: StationProtocol, limit: ProfileLimit) {
  const id = LOAD_MANAGER_DEFAULT_PROFILE_ID;
  const common = {
    stackLevel: LOAD_MANAGER_STACK_LEVEL,
    chargingProfilePurpose: 'TxDefaultProfile',
    chargingProfileKind: 'Relative',
  };
  const schedule = { chargingRateUnit: limit.unit, chargingSchedulePeriod: [periodOf(limit)] };
  if (protocol === 'ocpp1.6')
    return {
      connectorId: 0,
      csChargingProfiles: { chargingProfileId: id, ...common, chargingSchedule: schedule },
    };
  return { evseId: 0, chargingProfile: { id, ...common, chargingSchedule: [{ id, ...schedule }] } };
}

/**
 * A `ClearChargingProfile` request for one profile by its id (1.6 `id`, 2.0.1
 * `chargingProfileId`): what removing a site's limit sends for what load management set.
 *
 * @example clearProfileRequest('ocpp1.6', 6000) // → { id: 6000 }
 */
export function clearProfileRequest(protocol: StationProtocol, id: number) {
  return protocol === 'ocpp1.6' ? { id } : { chargingProfileId: id };
}

function periodOf(limit: ProfileLimit) {
  return {
    startPeriod: 0,
    limit: limit.limit,
    ...(limit.phases !== undefined ? { numberPhases: limit.phases } : {}),
  };
}
