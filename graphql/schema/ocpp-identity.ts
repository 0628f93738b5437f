import type { Database } from '../../db/client';
import { findDeviceProfile } from '../../db/device-profile-store';
import { OCPP_IDENTITY_MAX } from '../../twins/ids';
import type { Protocol } from '../../twins/profiles';
import { apiError } from '../errors';

/** The protocol the model's device profile says the device speaks, if it says one. */
export async function protocolOf(
  database: Database,
  tenantId: string,
  model?: string | null,
): Promise<Protocol | undefined> {
  return model ? (await findDeviceProfile(database, tenantId, model))?.profile.protocol : undefined;
}

/**
 * Why an id longer than an OCPP identity (48 characters) can never connect over OCPP, or null
 * when it can. `field` names the argument (deviceId, serial, newSerial).
 */
export function ocppIdentityProblem(field: string, id: string): string | null {
  return id.length <= OCPP_IDENTITY_MAX
    ? null
    : `${field} is ${id.length} characters; an OCPP station's identity is at most ${OCPP_IDENTITY_MAX}`;
}

/**
 * Refuses an id an OCPP station could never connect with, when the model's profile says the
 * device speaks OCPP (`api:input.ocpp-identity-too-long`). Returns the warning to show when no
 * profile says which protocol the device speaks (JSON and MQTT take ids up to 64), else none.
 */
export function checkOcppIdentity(
  field: string,
  id: string,
  model: string | null | undefined,
  protocol: Protocol | undefined,
): string[] {
  const problem = ocppIdentityProblem(field, id);
  if (problem === null) return [];
  if (protocol?.startsWith('ocpp'))
    throw apiError(
      'api:input.ocpp-identity-too-long',
      `${problem}, and model ${model} speaks ${protocol}: give the station its OCPP identity (chargeBoxIdentity) as ${field}`,
      { field, max: OCPP_IDENTITY_MAX },
    );
  if (protocol) return [];
  return [`${problem}: this device can connect over native JSON or MQTT only`];
}
