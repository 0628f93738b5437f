/** What `doppel export sessions` asks of the API: every field a CDR export carries. */
export const SESSION_RECORDS = `query ($t: ID!, $filter: SessionRecordFilter, $first: Int, $after: String) {
  sessionRecords(tenantId: $t, filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id deviceId protocol transactionId evseId connectorId idTag startedAt stoppedAt
      meterStartWh meterStopWh energyKWh stopReason flags counted offline siteId assetId customerId
      notes { code count } recordedAt ledger { seq hash } signatureVerdict
      paginationIssues { meterSerial series missing repeated }
      signedMeterData { at context measurand format data signingMethod encodingMethod publicKey
        verification { verdict reason signingMethod meterSerial pagination publicKey } } } } }`;

/**
 * The CSV columns of a session export, in order (README: "Charging session records"):
 * times are ISO 8601 UTC, meter values Wh, energy kWh; `flags` and `notes` are joined with a
 * space (notes as `code×count`); `signatureVerdict` is the worst check of the signed values
 * against the station's meter key, `paginationIssues` each meter's gaps and repeats as
 * `<meter>/<series>: missing 3 4; repeated 7`, joined with ` | `; `signedMeterData` is the
 * JSON array of signed values, each `data` the exact string the charger sent (and its
 * `verification`); `ledgerSeq`/`ledgerHash` locate the record in the tenant's hash chain.
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
  'signatureVerdict',
  'paginationIssues',
  'signedMeterData',
];

interface PaginationIssueNode {
  meterSerial: string | null;
  series: string;
  missing: number[];
  repeated: number[];
}

interface SessionNode {
  flags: string[];
  paginationIssues: PaginationIssueNode[];
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
  paginationIssues: r.paginationIssues.map(issueText).join(' | '),
});

const issueText = (i: PaginationIssueNode) =>
  `${i.meterSerial ?? '?'}/${i.series}: ${[
    i.missing.length > 0 ? `missing ${i.missing.join(' ')}` : '',
    i.repeated.length > 0 ? `repeated ${i.repeated.join(' ')}` : '',
  ]
    .filter(Boolean)
    .join('; ')}`;
