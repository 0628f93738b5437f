/** An OCPP 2.0.1 ChargingProfileType as a station reports it (the fields shown). */
export interface ReportedProfile201 {
  id: number;
  stackLevel: number;
  chargingProfilePurpose: string;
  chargingProfileKind: string;
  transactionId?: string;
  validFrom?: string;
  validTo?: string;
  chargingSchedule: Array<{
    chargingRateUnit: string;
    chargingSchedulePeriod: Array<{ startPeriod: number; limit: number; numberPhases?: number }>;
  }>;
}

/**
 * A reported profile, flattened for reported state: a shadow is at most 8 levels deep, and a
 * profile as OCPP nests it (schedules of periods) would be 10 under its EVSE and source.
 *
 * @example profileSummary(p) // { id: 7001, stackLevel: 1, purpose: 'TxProfile', kind: 'Relative',
 *   //   transactionId: 'tx-1', periods: [{ schedule: 0, unit: 'A', start: 0, limit: 16, phases: 3 }] }
 */
export function profileSummary(profile: ReportedProfile201) {
  return {
    id: profile.id,
    stackLevel: profile.stackLevel,
    purpose: profile.chargingProfilePurpose,
    kind: profile.chargingProfileKind,
    // Absent, not null: in a reported patch null deletes a key.
    ...(profile.transactionId !== undefined ? { transactionId: profile.transactionId } : {}),
    ...(profile.validFrom !== undefined ? { validFrom: profile.validFrom } : {}),
    ...(profile.validTo !== undefined ? { validTo: profile.validTo } : {}),
    periods: profile.chargingSchedule.flatMap((schedule, index) =>
      schedule.chargingSchedulePeriod.map((period) => ({
        schedule: index,
        unit: schedule.chargingRateUnit,
        start: period.startPeriod,
        limit: period.limit,
        ...(period.numberPhases !== undefined ? { phases: period.numberPhases } : {}),
      })),
    ),
  };
}
