import { expect } from 'vitest';
import { TestDevice } from './device-client';
import { graphql } from './graphql';
import { uniqueTenant, type TestStack } from './stack';

const CREATE_CUSTOMER = `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id customerId name } } }`;
const CREATE_SITE = `mutation ($i: CreateSiteInput!) { createSite(input: $i) { site { id siteId name tags } } }`;
const CREATE_ASSET = `mutation ($i: CreateAssetInput!) { createAsset(input: $i) { version asset { id assetId health } } }`;
const REGISTER = `mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }`;
const BIND = `mutation ($i: BindDeviceInput!) { bindDevice(input: $i) { version asset { health device { deviceId } } } }`;
const UNBIND = `mutation ($i: UnbindDeviceInput!) { unbindDevice(input: $i) { version asset { health device { deviceId } } } }`;

/** The twin graph of one fresh tenant, built and read through the GraphQL API. */
export class TwinGraph {
  constructor(
    private readonly stack: TestStack,
    readonly tenantId = uniqueTenant('g'),
  ) {}

  /** The data of a request that must succeed. */
  async ok<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await graphql<T>(this.stack.apiUrl, query, { t: this.tenantId, ...variables });
    expect(res.errors).toBeUndefined();
    return res.data!;
  }

  /** The error code of a request that must fail. */
  async refused(query: string, variables: Record<string, unknown> = {}): Promise<string> {
    const res = await graphql(this.stack.apiUrl, query, { t: this.tenantId, ...variables });
    expect(res.errors).toHaveLength(1);
    return res.errors![0]!.extensions!.code!;
  }

  customer(customerId: string, name = `Customer ${customerId}`) {
    return this.ok(CREATE_CUSTOMER, { i: { tenantId: this.tenantId, customerId, name } });
  }

  site(siteId: string, customerId: string, tags: string[] = []) {
    return this.ok(CREATE_SITE, {
      i: { tenantId: this.tenantId, siteId, customerId, name: `Site ${siteId}`, tags },
    });
  }

  asset(assetId: string, siteId: string, extra: Record<string, unknown> = {}) {
    return this.ok(CREATE_ASSET, {
      i: { tenantId: this.tenantId, assetId, siteId, name: `Asset ${assetId}`, ...extra },
    });
  }

  /** Registers a device; returns its secret. */
  async register(deviceId: string, model?: string): Promise<string> {
    const data = await this.ok(REGISTER, { i: { tenantId: this.tenantId, deviceId, model } });
    return data.registerDevice.token;
  }

  /** Connects the device over the gateway and waits for welcome. */
  async connect(deviceId: string, token: string, firmware?: string): Promise<TestDevice> {
    const device = await TestDevice.connect(this.stack.gatewayUrl);
    device.send({
      type: 'hello',
      seq: 1,
      tenant: this.tenantId,
      device: deviceId,
      token,
      firmware,
    });
    expect(await device.next((m) => m.type === 'welcome' || m.type === 'error')).toMatchObject({
      type: 'welcome',
    });
    return device;
  }

  bind(assetId: string, deviceId: string) {
    return graphql(this.stack.apiUrl, BIND, { i: { tenantId: this.tenantId, assetId, deviceId } });
  }

  unbind(assetId: string, deviceId?: string) {
    return graphql(this.stack.apiUrl, UNBIND, {
      i: { tenantId: this.tenantId, assetId, deviceId },
    });
  }
}
