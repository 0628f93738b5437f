/** The console's path of a tenant's page: /tenants/<tenant>/<segments…>, each part escaped. */
export const tenantPath = (tenantId: string, ...segments: string[]) =>
  ['', 'tenants', tenantId, ...segments].map(encodeURIComponent).join('/');
