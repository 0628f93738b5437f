import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Search attributes every twin keeps current, so operators can filter twins in Temporal UI. */
export const TenantIdAttr = defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD);
export const LifecycleStateAttr = defineSearchAttributeKey(
  'LifecycleState',
  SearchAttributeType.KEYWORD,
);
export const OnlineAttr = defineSearchAttributeKey('Online', SearchAttributeType.BOOL);
export const DeviceModelAttr = defineSearchAttributeKey('DeviceModel', SearchAttributeType.KEYWORD);
export const FirmwareVersionAttr = defineSearchAttributeKey(
  'FirmwareVersion',
  SearchAttributeType.KEYWORD,
);

export const AssetIdAttr = defineSearchAttributeKey('AssetId', SearchAttributeType.KEYWORD);
export const SiteIdAttr = defineSearchAttributeKey('SiteId', SearchAttributeType.KEYWORD);

/** Name → type, in the form `temporal server start-dev --search-attribute` and the operator API take. */
export const SEARCH_ATTRIBUTES = {
  TenantId: 'Keyword',
  LifecycleState: 'Keyword',
  Online: 'Bool',
  DeviceModel: 'Keyword',
  FirmwareVersion: 'Keyword',
  AssetId: 'Keyword',
  SiteId: 'Keyword',
} as const;
