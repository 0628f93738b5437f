/**
 * JSON as a shadow stores it. Inside objects `null` never appears: in a patch it means
 * "delete this key", so a stored document holds `null` only inside arrays.
 */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | JsonObject;

export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** True for a JSON object (not an array, not null). Assumes the value is already JSON. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
