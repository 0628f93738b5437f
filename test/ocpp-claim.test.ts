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
 * way the OCPP security whitepaper sets one (1.6: AuthorizationKey in hexadecimal), keeps it
 * only if the specification allows it, and connects with that from then on.
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

/**
 * What a station that follows the OCPP security specifications keeps of the password the
 * server sets, or null when it must refuse it. 1.6 (security whitepaper): the AuthorizationKey
 * is 16–20 bytes written as 32–40 hexadecimal digits, and the decoded bytes are the Basic-auth
 * password. 2.0.1: BasicAuthPassword is a passwordString of 16–40 characters from
 * a-z A-Z 0-9 * - _ = : + | @ .
 */
function kept(version: OcppVersion, value: unknown): Buffer | string | null {
  if (typeof value !== 'string') return null;
  if (version === 'ocpp1.6')
    return /^(?:[0-9A-Fa-f]{2}){16,20}$/.test(value) ? Buffer.from(value, 'hex') : null;
  return /^[A-Za-z0-9*\-_=:+|@.]{16,40}$/.test(value) ? value : null;
}

/** A station that keeps the password the server sets if the specification allows it. */
async function station(
  version: OcppVersion,
  tenantId: string,
  serial: string,
  password: string | Buffer,
) {
  const cp = await connectStation(stack.ocppUrl, version, serial, password, tenantId);
  stations.push(cp);
  const set: Array<{ value: unknown; kept: Buffer | string | null }> = [];
  cp.handle(({ method, params }) => {
    if (method === 'ChangeConfiguration' && params.key === 'AuthorizationKey') {
      const key = kept(version, params.value);
      set.push({ value: params.value, kept: key });
      return { status: key === null ? 'Rejected' : 'Accepted' };
    }
    if (method === 'SetVariables') {
      const [data] = params.setVariableData;
      let status = 'Accepted';
      if (data.component.name === 'SecurityCtrlr' && data.variable.name === 'BasicAuthPassword') {
        const password = kept(version, data.attributeValue);
        set.push({ value: data.attributeValue, kept: password });
        if (password === null) status = 'Rejected';
      }
      return {
        setVariableResult: [
          { attributeStatus: status, component: data.component, variable: data.variable },
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
      const [set] = await eventually(async () => (first.set.length ? first.set : undefined));
      // A password the specification lets the station keep (the station refused it otherwise).
      expect(set!.kept).not.toBeNull();
      const password = set!.kept!;
      expect(String(password)).not.toBe(claimToken);
      await first.cp.close();

      // The station reboots with its own password (1.6: the key's decoded bytes) and is active.
      await station(version, tenantId, serial, password);
      const active = await eventually(async () => {
        const p = (await graphql(stack.apiUrl, PROVISIONING, { t: tenantId, s: serial })).data
          .provisioning;
        return p.status === 'ACTIVE' ? p : undefined;
      });
      expect(active.claimedAt).not.toBeNull();
      expect(active.activatedAt).not.toBeNull();

      // A 1.6 station that keeps the key's hexadecimal digits as its password (not the bytes
      // they stand for) is let in with them too.
      if (version === 'ocpp1.6') {
        const asDigits = await station(version, tenantId, serial, String(set!.value));
        await asDigits.cp.close();
      }

      // Active, the claim token is spent: it opens nothing any more.
      expect(
        await rpcCode(connectStation(stack.ocppUrl, version, serial, claimToken, tenantId)),
      ).toBe(401);
    },
  );
});
