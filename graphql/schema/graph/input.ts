import type { AssetFilter, DeviceFilter, SiteFilter } from '../../../db/graph-pages';
import { ASSET_HEALTHS, type AssetHealth } from '../../../twins/asset';
import { LIFECYCLE_STATES, type LifecycleState } from '../../../twins/device';
import { isValidId } from '../../../twins/ids';
import { apiError } from '../../errors';

// GraphQL input as the read and write layers take it: ids checked, enums in the twins'
// spelling, nulls (the client said nothing) dropped.

export function requireId(name: string, value: string): void {
  if (!isValidId(value)) {
    throw apiError(
      'api:input.invalid-id',
      `${name} must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      { field: name },
    );
  }
}

function fromEnum<T extends string>(values: readonly T[], value: string, what: string): T {
  const v = value.toLowerCase().replace(/_/g, '-') as T;
  if (!values.includes(v)) throw apiError('api:input.invalid-enum', `unknown ${what} ${value}`);
  return v;
}

/** Keeps the fields that are set, so `{ model: null }` means "any model". */
function defined<T extends object>(input: { [K in keyof T]?: T[K] | null }): T {
  return Object.fromEntries(
    Object.entries(input).filter(([, v]) => v !== null && v !== undefined),
  ) as T;
}

export interface DeviceFilterInput {
  lifecycle?: string[] | null;
  online?: boolean | null;
  model?: string | null;
  firmware?: string | null;
  siteId?: string | null;
  customerId?: string | null;
  assetId?: string | null;
  tag?: string | null;
  idPrefix?: string | null;
  serial?: string | null;
}

export function deviceFilter(input: DeviceFilterInput | null | undefined): DeviceFilter {
  const { lifecycle, ...rest } = input ?? {};
  // A prefix of an id is an id itself (at least its first character): anything else finds nothing.
  if (typeof rest.idPrefix === 'string') requireId('idPrefix', rest.idPrefix);
  if (typeof rest.serial === 'string') requireId('serial', rest.serial);
  return defined<DeviceFilter>({
    ...rest,
    lifecycle: lifecycle?.map((l) =>
      fromEnum<LifecycleState>(LIFECYCLE_STATES, l, 'lifecycle state'),
    ),
  });
}

export interface AssetFilterInput {
  siteId?: string | null;
  customerId?: string | null;
  health?: string[] | null;
  kind?: string | null;
  tag?: string | null;
}

export function assetFilter(input: AssetFilterInput | null | undefined): AssetFilter {
  const { health, ...rest } = input ?? {};
  return defined<AssetFilter>({
    ...rest,
    health: health?.map((h) => fromEnum<AssetHealth>(ASSET_HEALTHS, h, 'asset health')),
  });
}

export function siteFilter(
  input: { customerId?: string | null; tag?: string | null } | null | undefined,
): SiteFilter {
  return defined<SiteFilter>(input ?? {});
}
