import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { DeviceTwinState } from '../../twins/device';
import {
  AssetIdAttr,
  DeviceModelAttr,
  FirmwareVersionAttr,
  LifecycleStateAttr,
  OnlineAttr,
  SiteIdAttr,
  TenantIdAttr,
} from '../search-attributes';

/** The search attributes a device twin shows in Temporal UI, derived from its state. */
export function deviceSearchAttributes(state: DeviceTwinState): SearchAttributeUpdatePair[] {
  return [
    { key: TenantIdAttr, value: state.tenantId },
    { key: LifecycleStateAttr, value: state.lifecycle.state },
    { key: OnlineAttr, value: state.connectivity.status === 'online' },
    { key: DeviceModelAttr, value: state.model },
    { key: FirmwareVersionAttr, value: state.firmware },
    { key: AssetIdAttr, value: state.binding?.assetId ?? null },
    { key: SiteIdAttr, value: state.binding?.siteId ?? null },
  ] as SearchAttributeUpdatePair[];
}

/** Only the pairs whose value differs, so an unchanged twin adds nothing to its history. */
export function changedSearchAttributes(
  before: DeviceTwinState,
  after: DeviceTwinState,
): SearchAttributeUpdatePair[] {
  const old = deviceSearchAttributes(before);
  return deviceSearchAttributes(after).filter((pair, i) => pair.value !== old[i]?.value);
}
