/**
 * Who may do what. A tenant's roles, from most to least powerful:
 * - `tenant-admin`: everything in the tenant, including API keys, backends, webhooks, profiles;
 * - `operator`: runs the fleet (lifecycle, desired state, commands, rollouts, the twin graph);
 * - `installer`: provisions devices (single and bulk) and reads the fleet;
 * - `viewer`: reads and subscribes;
 * - `partner`: reads and subscribes (an integration, usually through an API key).
 * `platform-admin` runs the Doppel installation: every operation in every tenant. It is granted
 * only by a JWT (never an API key), for the people who create tenants and for automation.
 */
export const TENANT_ROLES = ['tenant-admin', 'operator', 'installer', 'viewer', 'partner'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];
export type Role = TenantRole | 'platform-admin';

export const isTenantRole = (value: unknown): value is TenantRole =>
  TENANT_ROLES.includes(value as TenantRole);

/** The authenticated caller of a request. */
export interface Principal {
  /** `user:<sub>` for a JWT, `key:<keyId>` for an API key: the actor of everything it does. */
  readonly actor: string;
  readonly role: Role;
  /** The one tenant it acts in; null only for `platform-admin`. */
  readonly tenantId: string | null;
}

const READ: readonly TenantRole[] = TENANT_ROLES;
const PROVISION: readonly TenantRole[] = ['tenant-admin', 'operator', 'installer'];
const OPERATE: readonly TenantRole[] = ['tenant-admin', 'operator'];
const ADMIN: readonly TenantRole[] = ['tenant-admin'];

/** Who may read this tenant-level configuration: it names endpoints but never shows secrets. */
const CONFIG_READ: readonly TenantRole[] = ['tenant-admin', 'operator'];

/** Who may see partner webhooks (URL, filter, cursor, lag, dead letters; never the secret). */
const WEBHOOK_READ: readonly TenantRole[] = ['tenant-admin', 'operator', 'viewer', 'partner'];

/**
 * The roles allowed each root field. A field missing here is refused to everybody but
 * `platform-admin`, and the schema refuses to build (fail closed: a new operation needs a rule).
 */
export const PERMISSIONS: Record<string, Record<string, readonly TenantRole[]>> = {
  Query: {
    me: READ,
    node: READ,
    device: READ,
    devices: READ,
    deviceProfile: READ,
    deviceProfiles: READ,
    customer: READ,
    customers: READ,
    site: READ,
    sites: READ,
    asset: READ,
    assets: READ,
    fleetSummary: READ,
    provisioning: PROVISION,
    bulkProvisioning: PROVISION,
    rollout: READ,
    rollouts: READ,
    backends: CONFIG_READ,
    backend: CONFIG_READ,
    admissionHook: CONFIG_READ,
    apiKeys: ADMIN,
    auditEntries: ADMIN,
    // The ledger holds the audit entries: the audit trail's readers only.
    ledgerEntries: ADMIN,
    ledgerCheckpoints: ADMIN,
    ledgerKeys: ADMIN,
    webhooks: WEBHOOK_READ,
    webhook: WEBHOOK_READ,
    sessionRecords: READ,
    sessionRecord: READ,
    whyOffline: READ,
    alarmRules: READ,
    alarmRule: READ,
    alarms: READ,
    alarm: READ,
    // Channels name where alarms go (URLs, addresses): the tenant's admins only.
    notificationChannels: ADMIN,
    notificationChannel: ADMIN,
    faultFingerprints: READ,
    deviceLogs: READ,
    logUploads: READ,
    logRequests: READ,
    siteLoad: READ,
    // Roaming partners: who the tenant exchanges with, never their tokens.
    ocpiParties: CONFIG_READ,
    ocpiParty: CONFIG_READ,
    ocpiLocations: CONFIG_READ,
    ocpiTariffs: CONFIG_READ,
    ocpiSettings: CONFIG_READ,
  },
  Mutation: {
    registerDevice: PROVISION,
    provisionDevice: PROVISION,
    provisionDevices: PROVISION,
    transitionDevice: OPERATE,
    updateDesired: OPERATE,
    sendCommand: OPERATE,
    setDeviceTags: OPERATE,
    retireDevice: OPERATE,
    replaceDevice: OPERATE,
    startRollout: OPERATE,
    startBulkCommand: OPERATE,
    pauseRollout: OPERATE,
    resumeRollout: OPERATE,
    abortRollout: OPERATE,
    retryFailedRollout: OPERATE,
    createCustomer: OPERATE,
    createSite: OPERATE,
    createAsset: OPERATE,
    setAssetAttributes: OPERATE,
    bindDevice: OPERATE,
    unbindDevice: OPERATE,
    putDeviceProfile: ADMIN,
    registerBackend: ADMIN,
    updateBackend: ADMIN,
    removeBackend: ADMIN,
    setAdmissionHook: ADMIN,
    removeAdmissionHook: ADMIN,
    createApiKey: ADMIN,
    revokeApiKey: ADMIN,
    registerWebhook: ADMIN,
    updateWebhook: ADMIN,
    rotateWebhookSecret: ADMIN,
    removeWebhook: ADMIN,
    replayWebhook: ADMIN,
    // Rules decide what raises alarms for the whole tenant; operators work the alarms.
    createAlarmRule: ADMIN,
    updateAlarmRule: ADMIN,
    deleteAlarmRule: ADMIN,
    acknowledgeAlarm: OPERATE,
    assignAlarm: OPERATE,
    commentOnAlarm: OPERATE,
    clearAlarm: OPERATE,
    createNotificationChannel: ADMIN,
    updateNotificationChannel: ADMIN,
    deleteNotificationChannel: ADMIN,
    resolveFault: OPERATE,
    requestDeviceLog: OPERATE,
    // A site's power limit may come from a partner (the grid operator's or building's system).
    setSiteLoadLimit: [...OPERATE, 'partner'],
    removeSiteLoadLimit: [...OPERATE, 'partner'],
    // Commissioning a station includes registering its meter's key.
    setMeterPublicKey: PROVISION,
    // Roaming contracts and the tokens that open the tenant's OCPI interface.
    registerOcpiParty: ADMIN,
    updateOcpiParty: ADMIN,
    renewOcpiPartyToken: ADMIN,
    connectOcpiParty: ADMIN,
    removeOcpiParty: ADMIN,
    setOcpiSettings: ADMIN,
    // What eMSPs see of the tenant's sites.
    setOcpiLocation: OPERATE,
    removeOcpiLocation: OPERATE,
    // Prices are a business decision of the tenant.
    setOcpiTariff: ADMIN,
    removeOcpiTariff: ADMIN,
  },
  Subscription: {
    deviceChanged: READ,
    lifecycleChanged: READ,
    assetChanged: READ,
    rolloutProgress: READ,
    alarmEvents: READ,
  },
};

export function mayCall(principal: Principal, type: string, field: string): boolean {
  if (principal.role === 'platform-admin') return true;
  return PERMISSIONS[type]?.[field]?.includes(principal.role) ?? false;
}
