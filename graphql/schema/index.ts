import { createSchema } from 'graphql-yoga';
import { guardSchema } from '../auth/guard';
import { accessResolvers } from './access-resolvers';
import { accessTypeDefs } from './access-type-defs';
import { alarmResolvers } from './alarms/resolvers';
import { alarmTypeDefs } from './alarms/type-defs';
import { alarmNotificationResolvers } from './alarms/notification-resolvers';
import { alarmNotificationTypeDefs } from './alarms/notification-type-defs';
import { ledgerResolvers } from './ledger-resolvers';
import { ledgerTypeDefs } from './ledger-type-defs';
import { backendResolvers } from './backend-resolvers';
import { backendTypeDefs } from './backend-type-defs';
import { changeResolvers } from './changes/resolvers';
import { changeTypeDefs } from './changes/type-defs';
import { connectivityResolvers } from './connectivity/resolvers';
import { connectivityTypeDefs } from './connectivity/type-defs';
import { faultResolvers } from './faults/resolvers';
import { faultTypeDefs } from './faults/type-defs';
import { deviceLogResolvers } from './device-logs/resolvers';
import { deviceLogTypeDefs } from './device-logs/type-defs';
import { graphSchema } from './graph';
import { bulkProvisioningResolvers } from './fleet/bulk-resolvers';
import { bulkProvisioningTypeDefs } from './fleet/bulk-type-defs';
import { provisioningResolvers } from './fleet/resolvers';
import { provisioningTypeDefs } from './fleet/type-defs';
import { rolloutResolvers } from './fleet/rollout-resolvers';
import { rolloutListResolvers } from './fleet/rollout-list-resolvers';
import { rolloutInputTypeDefs } from './fleet/rollout-input-type-defs';
import { rolloutTypeDefs } from './fleet/rollout-type-defs';
import { resolvers, type ApiContext } from './resolvers';
import { siteLoadResolvers } from './site-load/resolvers';
import { siteLoadTypeDefs } from './site-load/type-defs';
import { meterKeyResolvers } from './sessions/meter-key-resolvers';
import { meterKeyTypeDefs } from './sessions/meter-key-type-defs';
import { sessionRecordResolvers } from './sessions/resolvers';
import { sessionRecordTypeDefs } from './sessions/type-defs';
import { typeDefs } from './type-defs';
import { temporalUiResolvers } from './temporal-ui/resolvers';
import { temporalUiTypeDefs } from './temporal-ui/type-defs';
import { ocpiResolvers } from './ocpi-resolvers';
import { ocpiTypeDefs } from './ocpi-type-defs';
import { ocpiSettingsResolvers } from './ocpi-settings-resolvers';
import { ocpiSettingsTypeDefs } from './ocpi-settings-type-defs';
import { webhookResolvers } from './webhook-resolvers';
import { webhookTypeDefs } from './webhook-type-defs';

export type { ApiContext } from './resolvers';

/** Each part's SDL: a type is defined by one part (others may `extend` it). */
export const API_TYPE_DEFS = [
  typeDefs,
  changeTypeDefs,
  backendTypeDefs,
  provisioningTypeDefs,
  bulkProvisioningTypeDefs,
  rolloutTypeDefs,
  rolloutInputTypeDefs,
  accessTypeDefs,
  ledgerTypeDefs,
  webhookTypeDefs,
  sessionRecordTypeDefs,
  meterKeyTypeDefs,
  connectivityTypeDefs,
  ...graphSchema.typeDefs,
  alarmTypeDefs,
  alarmNotificationTypeDefs,
  faultTypeDefs,
  deviceLogTypeDefs,
  siteLoadTypeDefs,
  temporalUiTypeDefs,
  ocpiTypeDefs,
  ocpiSettingsTypeDefs,
];

/**
 * Each part of the API brings its SDL and resolvers; they are merged here, and every root
 * field is put behind the caller's role and tenant (auth/guard).
 */
export const schema = guardSchema(
  createSchema<ApiContext>({
    typeDefs: API_TYPE_DEFS,
    resolvers: [
      resolvers,
      changeResolvers,
      backendResolvers,
      provisioningResolvers,
      bulkProvisioningResolvers,
      rolloutResolvers,
      rolloutListResolvers,
      accessResolvers,
      ledgerResolvers,
      webhookResolvers,
      sessionRecordResolvers,
      meterKeyResolvers,
      connectivityResolvers,
      ...graphSchema.resolvers,
      alarmResolvers,
      alarmNotificationResolvers,
      faultResolvers,
      deviceLogResolvers,
      siteLoadResolvers,
      temporalUiResolvers,
      ocpiResolvers,
      ocpiSettingsResolvers,
    ],
  }),
);
