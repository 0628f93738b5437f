import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { AssetTwinState } from '../../twins/asset';
import { AssetIdAttr, SiteIdAttr, TenantIdAttr } from '../search-attributes';

/** The search attributes an asset twin shows in Temporal UI, derived from its state. */
export function assetSearchAttributes(state: AssetTwinState): SearchAttributeUpdatePair[] {
  return [
    { key: TenantIdAttr, value: state.tenantId },
    { key: AssetIdAttr, value: state.assetId },
    { key: SiteIdAttr, value: state.siteId },
  ] as SearchAttributeUpdatePair[];
}

/** Only the pairs whose value differs, so an unchanged twin adds nothing to its history. */
export function changedAssetSearchAttributes(
  before: AssetTwinState,
  after: AssetTwinState,
): SearchAttributeUpdatePair[] {
  const old = assetSearchAttributes(before);
  return assetSearchAttributes(after).filter((pair, i) => pair.value !== old[i]?.value);
}
