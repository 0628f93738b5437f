import { connectorSpec } from './location-details';

/** A site as an OCPI Location: its OCPI details, its name, and when anything in it last changed. */
export interface LocationSite {
  readonly siteId: string;
  readonly name: string;
  readonly details: Record<string, unknown>;
  readonly publish: boolean;
  readonly lastUpdated: Date;
}

/** An asset of a Location's site (an EVSE) with what its current station reports. */
export interface LocationAsset {
  readonly siteId: string;
  readonly assetId: string;
  readonly name: string;
  readonly attributes: Record<string, unknown>;
  readonly deviceId: string | null;
  readonly connectivity: string | null;
  readonly reported: Record<string, unknown> | null;
  readonly lastUpdated: Date;
  /** The tariffs that apply (the asset's own, else its site's). */
  readonly tariffIds?: readonly string[];
}

/** FNV-1a, 32 bits, as 8 hex digits: a stable short name for a long id (no crypto in twins/). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * OCPI ids are at most 36 characters, Doppel's up to 64: a longer one keeps its first 27
 * characters and gets its hash.
 * @example ocpiId('bay-1') === 'bay-1'
 */
export const ocpiId = (id: string) => (id.length <= 36 ? id : `${id.slice(0, 27)}~${fnv1a(id)}`);

/** An OCPP connector status (1.6 and 2.0.1) as OCPI's EVSE status. */
const STATUS: Record<string, string> = {
  Available: 'AVAILABLE',
  Preparing: 'CHARGING',
  Charging: 'CHARGING',
  SuspendedEV: 'CHARGING',
  SuspendedEVSE: 'CHARGING',
  Finishing: 'CHARGING',
  Occupied: 'CHARGING',
  Reserved: 'RESERVED',
  Unavailable: 'INOPERATIVE',
  Faulted: 'OUTOFORDER',
};

/** Which OCPI status wins when an EVSE has several connectors: the busiest, then the worst. */
const PRECEDENCE = ['CHARGING', 'RESERVED', 'AVAILABLE', 'OUTOFORDER', 'INOPERATIVE', 'UNKNOWN'];

type Reported = Record<
  string,
  { status?: unknown; connectors?: Record<string, { status?: unknown }> }
>;

/** The connectors a station reported, by OCPI connector id, with their OCPP status. */
function reportedConnectors(reported: Record<string, unknown> | null): Map<string, string> {
  const found = new Map<string, string>();
  const v16 = (reported?.connectors ?? {}) as Reported;
  for (const [id, c] of Object.entries(v16))
    if (id !== '0' && typeof c?.status === 'string') found.set(id, c.status);
  const evses = Object.entries((reported?.evses ?? {}) as Reported);
  for (const [evse, e] of evses)
    for (const [id, c] of Object.entries(e?.connectors ?? {}))
      if (typeof c?.status === 'string')
        found.set(evses.length > 1 ? `${evse}-${id}` : id, c.status);
  return found;
}

/** An asset as an OCPI EVSE: status from its station's live connectors, UNKNOWN while offline. */
export function evseDocument(asset: LocationAsset) {
  const connectors = reportedConnectors(asset.reported);
  const whole = (asset.reported?.connectors as Reported | undefined)?.['0']?.status;
  const spec = connectorSpec.safeParse(asset.attributes.ocpiConnector ?? {});
  const kind = spec.success ? spec.data : connectorSpec.parse({});
  const statuses = [...connectors.values()].map((s) => STATUS[s] ?? 'UNKNOWN');
  let status = PRECEDENCE.find((p) => statuses.includes(p)) ?? 'UNKNOWN';
  // A 1.6 station reports itself as connector 0: unavailable or faulted, so is every EVSE.
  if (typeof whole === 'string' && ['Unavailable', 'Faulted'].includes(whole))
    status = STATUS[whole]!;
  if (asset.deviceId === null || asset.connectivity !== 'online') status = 'UNKNOWN';
  const lastUpdated = asset.lastUpdated.toISOString();
  const ids = connectors.size > 0 ? [...connectors.keys()] : ['1'];
  const evseId = asset.attributes.evseId;
  return {
    uid: ocpiId(asset.assetId),
    ...(typeof evseId === 'string' ? { evse_id: evseId } : {}),
    status,
    capabilities: ['REMOTE_START_STOP_CAPABLE', 'UNLOCK_CAPABLE'],
    connectors: ids.map((id) => ({
      id,
      ...kind,
      ...(asset.tariffIds?.length ? { tariff_ids: [...asset.tariffIds] } : {}),
      last_updated: lastUpdated,
    })),
    physical_reference: asset.name.slice(0, 16),
    last_updated: lastUpdated,
  };
}

/** A site as an OCPI Location of the CPO `party` names (Doppel's identity towards the eMSP). */
export function locationDocument(
  party: { cpoCountryCode: string; cpoPartyId: string },
  site: LocationSite,
  assets: readonly LocationAsset[],
) {
  const evses = assets.map(evseDocument);
  const newest = Math.max(
    site.lastUpdated.getTime(),
    ...assets.map((a) => a.lastUpdated.getTime()),
  );
  return {
    country_code: party.cpoCountryCode,
    party_id: party.cpoPartyId,
    id: ocpiId(site.siteId),
    publish: site.publish,
    name: site.name,
    ...site.details,
    evses,
    last_updated: new Date(newest).toISOString(),
  };
}
