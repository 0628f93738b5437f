import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, graphql } from './support/graphql';
import {
  bootPayload,
  connectStation,
  rpcCode,
  type OcppVersion,
  type Station,
} from './support/ocpp-station';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

/**
 * A charging station provisioned with a claim token (ocpp-rpc, both versions): it presents
 * the token as its Basic-auth password on first connect, is given a password of its own the
 * way the OCPP security whitepaper sets one, and connects with that from then on.
 */
let stack: TestStack;
const stations: Station[] = [];
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await Promise.all(stations.map((s) => s.close({ force: true }).catch(() => {})));
  await stack?.stop();
});

const PROVISION = `mutation ($i: ProvisionDeviceInput!) {
  provisionDevice(input: $i) { status claimToken }
}`;
const PROVISIONING = `query ($t: ID!, $s: ID!) {
  provisioning(tenantId: $t, serial: $s) { status reason claimedAt activatedAt }
}`;

/** A station that takes whatever password the server sets, and says so. */
async function station(version: OcppVersion, tenantId: string, serial: string, password: string) {
  const cp = await connectStation(stack.ocppUrl, version, serial, password, tenantId);
  stations.push(cp);
  const set: string[] = [];
  cp.handle(({ method, params }) => {
    if (method === 'ChangeConfiguration' && params.key === 'AuthorizationKey') {
      set.push(params.value);
      return { status: 'Accepted' };
    }
    if (method === 'SetVariables') {
      const [data] = params.setVariableData;
      if (data.component.name === 'SecurityCtrlr' && data.variable.name === 'BasicAuthPassword')
        set.push(data.attributeValue);
      return {
        setVariableResult: [
          { attributeStatus: 'Accepted', component: data.component, variable: data.variable },
        ],
      };
    }
    return version === 'ocpp1.6' ? { status: 'Accepted' } : {};
  });
  const boot = await cp.call('BootNotification', bootPayload(version, 'fw-2.1'));
  expect(boot.status).toBe('Accepted');
  return { cp, set };
}

describe('OCPP stations claim their identity', () => {
  it.each(['ocpp1.6', 'ocpp2.0.1'] as const)(
    '%s: the claim token opens the first connection, the password set on the station every later one',
    async (version) => {
      const tenantId = uniqueTenant('oc');
      const serial = `CP-${version === 'ocpp1.6' ? '16' : '201'}-0001`;
      const claimToken = 'printed-on-the-label-0001';
      const provisioned = await graphql(stack.apiUrl, PROVISION, {
        i: {
          tenantId,
          serial,
          model: 'AC-22',
          method: 'CLAIM',
          claimToken,
          expect: { firmware: 'fw-2.1' },
          activationTimeoutS: 120,
        },
      });
      expect(provisioned.errors).toBeUndefined();

      // Not yet claimed: a wrong token is refused before the upgrade.
      expect(
        await rpcCode(
          connectStation(stack.ocppUrl, version, serial, 'not-the-claim-token-0', tenantId),
        ),
      ).toBe(401);

      const first = await station(version, tenantId, serial, claimToken);
      const [password] = await eventually(async () => (first.set.length ? first.set : undefined));
      expect(password).toMatch(/^dpl_/);
      expect(password).not.toBe(claimToken);
      await first.cp.close();

      // The station reboots with its own password and is active.
      await station(version, tenantId, serial, password!);
      const active = await eventually(async () => {
        const p = (await graphql(stack.apiUrl, PROVISIONING, { t: tenantId, s: serial })).data
          .provisioning;
        return p.status === 'ACTIVE' ? p : undefined;
      });
      expect(active.claimedAt).not.toBeNull();
      expect(active.activatedAt).not.toBeNull();

      // Active, the claim token is spent: it opens nothing any more.
      expect(
        await rpcCode(connectStation(stack.ocppUrl, version, serial, claimToken, tenantId)),
      ).toBe(401);
    },
  );
});
