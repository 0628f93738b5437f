/**
 * The connectors (OCPP 1.6, `connectors.<id>`) or EVSEs (2.0.1, `evses.<id>`) a station
 * reported, from its reported state; 0 (the station itself) left out. Each may start a session.
 *
 * @example chargingPointsOf({ connectors: { '0': {…}, '1': {…}, '2': {…} } }) // [1, 2]
 */
export function chargingPointsOf(reported: { connectors?: unknown; evses?: unknown }): number[] {
  const ids = [reported.connectors, reported.evses].flatMap((group) =>
    group !== null && typeof group === 'object' ? Object.keys(group) : [],
  );
  return [...new Set(ids.map(Number))]
    .filter((id) => Number.isInteger(id) && id > 0)
    .sort((a, b) => a - b);
}
