import type { Database } from './client';
import { locationAssets, pageLocationSites } from './ocpi-location-store';
import { energyReadings, type OcpiSessionRow } from './ocpi-session-store';
import { connectorSpec } from '../twins/ocpi/location-details';
import { ocpiId } from '../twins/ocpi/location-document';
import {
  cdrDocument,
  sessionDocument,
  type OcpiSessionFacts,
} from '../twins/ocpi/session-document';
import { ocpiSignedData } from '../twins/sessions';

/**
 * The currency of a session whose EVSE has no tariff. Doppel has no per-tenant currency yet:
 * a tenant that roams outside the euro area sets a tariff on its EVSEs.
 */
export const OCPI_DEFAULT_CURRENCY = 'EUR';

type Party = { tenantId: string; cpoCountryCode: string; cpoPartyId: string };

/** Where a session's EVSE stands now: its site, asset, connector kind and tariff. */
async function placeOf(database: Database, party: Party, row: OcpiSessionRow) {
  // The session is the party's already: its place is read whatever the party's OCPI backends.
  const { sites } = await pageLocationSites(
    database,
    party.tenantId,
    { offset: 0, limit: 1, siteId: row.locationId },
    null,
  );
  const assets = await locationAssets(database, party.tenantId, [row.locationId], null);
  const asset = assets.find((a) => a.assetId === row.evseUid || ocpiId(a.assetId) === row.evseUid);
  const [tariffId] = asset?.tariffIds ?? [];
  const [tariff] = tariffId
    ? await database.sql<{ details: Record<string, unknown>; updated_at: Date }[]>`
        select details, updated_at from ocpi_tariffs
        where tenant_id = ${party.tenantId} and tariff_id = ${tariffId}`
    : [];
  const spec = connectorSpec.safeParse(asset?.attributes.ocpiConnector ?? {});
  return {
    site: sites[0] ?? null,
    evseId: typeof asset?.attributes.evseId === 'string' ? asset.attributes.evseId : null,
    connector: spec.success ? spec.data : connectorSpec.parse({}),
    tariff: tariff
      ? ({
          country_code: party.cpoCountryCode,
          party_id: party.cpoPartyId,
          id: tariffId!,
          ...tariff.details,
          last_updated: new Date(tariff.updated_at).toISOString(),
        } as Record<string, unknown>)
      : null,
  };
}

async function factsOf(database: Database, party: Party, row: OcpiSessionRow) {
  const place = await placeOf(database, party, row);
  const channel =
    row.protocol === 'ocpp1.6'
      ? `connector:${row.stationConnectorId ?? 1}`
      : `evse:${row.evseId ?? 1}`;
  const stoppedAt = row.record?.stoppedAt ?? row.stoppedAt;
  const readings = await energyReadings(
    database,
    party.tenantId,
    row.deviceId,
    channel,
    row.startedAt,
    stoppedAt,
  );
  const facts: OcpiSessionFacts = {
    party,
    sessionId: row.sessionId,
    via: row.via,
    token: row.token,
    authorizationReference: row.authorizationReference,
    locationId: row.locationId,
    evseUid: row.evseUid,
    connectorId: row.connectorId,
    startedAt: row.startedAt,
    stoppedAt,
    meterStartWh: row.record?.meterStartWh ?? row.meterStartWh,
    meterStopWh: row.record?.meterStopWh ?? row.meterStopWh,
    readings,
    currency:
      typeof place.tariff?.currency === 'string' ? place.tariff.currency : OCPI_DEFAULT_CURRENCY,
    tariff: place.tariff,
    lastUpdated: row.lastUpdated.toISOString(),
  };
  return { facts, place };
}

/** A session of the party's as an OCPI Session. */
export async function ocpiSessionDocument(database: Database, party: Party, row: OcpiSessionRow) {
  return sessionDocument((await factsOf(database, party, row)).facts);
}

/** A recorded session of the party's as an OCPI CDR (null while it has no record). */
export async function ocpiCdrDocument(database: Database, party: Party, row: OcpiSessionRow) {
  if (!row.record) return null;
  const { facts, place } = await factsOf(database, party, row);
  return cdrDocument({
    ...facts,
    stoppedAt: row.record.stoppedAt,
    location: {
      name: place.site?.name ?? row.locationId,
      details: place.site?.details ?? {},
      evseId: place.evseId,
      connector: place.connector,
    },
    signedData: ocpiSignedData(row.record.signedMeterData),
    signatureVerdict: row.record.signatureVerdict,
    meterId:
      row.record.signedMeterData.find((v) => v.verification?.meterSerial)?.verification
        ?.meterSerial ?? null,
    recordedAt: row.record.recordedAt.toISOString(),
  });
}
