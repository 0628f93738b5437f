/** What `doppel export sessions` asks of the API: every field a CDR export carries. */
export const SESSION_RECORDS = `query ($t: ID!, $filter: SessionRecordFilter, $first: Int, $after: String) {
  sessionRecords(tenantId: $t, filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id deviceId protocol transactionId evseId connectorId idTag startedAt stoppedAt
      meterStartWh meterStopWh energyKWh stopReason flags counted offline siteId assetId customerId
      notes { code count } recordedAt ledger { seq hash }
      signedMeterData { at context measurand format data signingMethod encodingMethod publicKey } } } }`;

/**
 * The CSV columns of a session export, in order (README: "Charging session records"):
 * times are ISO 8601 UTC, meter values Wh, energy kWh; `flags` and `notes` are joined with a
 * space (notes as `code×count`); `signedMeterData` is the JSON array of signed values, each
 * `data` the exact string the charger sent; `ledgerSeq`/`ledgerHash` locate the record in
 * the tenant's hash chain.
 */
export const SESSION_COLUMNS = [
  'id',
  'deviceId',
  'protocol',
  'transactionId',
  'evseId',
  'connectorId',
  'idTag',
  'startedAt',
  'stoppedAt',
  'meterStartWh',
  'meterStopWh',
  'energyKWh',
  'stopReason',
  'counted',
  'offline',
  'flags',
  'notes',
  'siteId',
  'assetId',
  'customerId',
  'recordedAt',
  'ledgerSeq',
  'ledgerHash',
  'signedMeterData',
];

interface SessionNode {
  flags: string[];
  notes: Array<{ code: string; count: number }>;
  ledger: { seq: number; hash: string } | null;
  [field: string]: unknown;
}

/** A record as one CSV row (JSON exports keep the API's shape). */
export const sessionRow = (r: SessionNode): Record<string, unknown> => ({
  ...r,
  flags: r.flags.join(' '),
  notes: r.notes.map((n) => `${n.code}×${n.count}`).join(' '),
  ledgerSeq: r.ledger?.seq ?? null,
  ledgerHash: r.ledger?.hash ?? null,
});
