/**
 * A Location document as JSON without its EVSEs' status and any `last_updated`: what the
 * push compares to decide that a Location itself changed (fields, EVSEs, connectors) and must
 * be PUT again, while a status change alone stays a PATCH.
 */
export function locationShape(document: Record<string, unknown>): string {
  return JSON.stringify(document, (key, value: unknown) =>
    key === 'last_updated' || (key === 'status' && typeof value === 'string') ? undefined : value,
  );
}

/** The document of a Location, or of EVSEs, that went away: every EVSE `REMOVED`, as OCPI asks. */
export function removedEvses(evses: unknown, at: string): Array<Record<string, unknown>> {
  if (!Array.isArray(evses)) return [];
  return evses.map((evse: Record<string, unknown>) => ({
    ...evse,
    status: 'REMOVED',
    last_updated: at,
  }));
}
