import type { OcppVersion } from './ocpp-version';

/** One server CALL that asks the station to take one desired value. */
export interface DesiredCall {
  path: string[];
  value: unknown;
  action: 'ChangeConfiguration' | 'SetVariables';
  payload: Record<string, unknown>;
}

/** Leaves of a desired delta: `{ a: { b: 1 } }` → [[['a', 'b'], 1]]; deletions (null) are skipped. */
function leaves(delta: Record<string, unknown>, prefix: string[] = []): [string[], unknown][] {
  return Object.entries(delta).flatMap(([key, value]): [string[], unknown][] => {
    if (value === null) return [];
    if (typeof value === 'object' && !Array.isArray(value))
      return leaves(value as Record<string, unknown>, [...prefix, key]);
    return [[[...prefix, key], value]];
  });
}

const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * The CALLs that carry a shadow delta to a station, one per changed key:
 * 1.6 `ChangeConfiguration` with the key path joined by "." (`{ HeartbeatInterval: 60 }`);
 * 2.0.1 `SetVariables` with component and variable (`{ OCPPCommCtrlr: { HeartbeatInterval: 60 } }`).
 * A 2.0.1 key without a component cannot be addressed and is left out (`skipped`).
 */
export function desiredCalls(
  version: OcppVersion,
  delta: Record<string, unknown>,
): { calls: DesiredCall[]; skipped: string[] } {
  const calls: DesiredCall[] = [];
  const skipped: string[] = [];
  for (const [path, value] of leaves(delta)) {
    if (version === 'ocpp1.6') {
      calls.push({
        path,
        value,
        action: 'ChangeConfiguration',
        payload: { key: path.join('.'), value: text(value) },
      });
    } else if (path.length < 2) {
      skipped.push(path.join('.'));
    } else {
      const [component, ...variable] = path;
      calls.push({
        path,
        value,
        action: 'SetVariables',
        payload: {
          setVariableData: [
            {
              component: { name: component },
              variable: { name: variable.join('.') },
              attributeValue: text(value),
            },
          ],
        },
      });
    }
  }
  return { calls, skipped };
}

/** The report that says the station took the value: the same path in `reported`. */
export function reportOf(path: string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<
    string,
    unknown
  >;
}

/** Whether the station's answer means it took the value (now or after a reboot). */
export function accepted(action: DesiredCall['action'], answer: Record<string, unknown>): boolean {
  const status =
    action === 'ChangeConfiguration'
      ? answer.status
      : (answer.setVariableResult as Array<{ attributeStatus?: string }> | undefined)?.[0]
          ?.attributeStatus;
  return status === 'Accepted' || status === 'RebootRequired';
}
