import { graphqlOk } from './graphql';
import { bootPayload, connectStation } from './ocpp-station';
import type { TestStack } from './stack';

/**
 * One charging session of a registered device, as a real OCPP 1.6 station charges (boot,
 * start, stop, close): it becomes one session record and one ledger entry of its tenant.
 */
export async function chargeOnce(
  stack: TestStack,
  tenantId: string,
  deviceId: string,
  token: string,
): Promise<void> {
  const cp = await connectStation(stack.ocppUrl, 'ocpp1.6', deviceId, token, tenantId);
  try {
    await cp.call('BootNotification', bootPayload('ocpp1.6'));
    const { transactionId } = await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: 'TAG-1',
      meterStart: 1000,
      timestamp: new Date().toISOString(),
    });
    await cp.call('StopTransaction', {
      transactionId,
      meterStop: 4000,
      timestamp: new Date().toISOString(),
      reason: 'Local',
    });
  } finally {
    await cp.close({ code: 1000 });
  }
}

/**
 * A firmware rollout that targets no device, so it ends at once (COMPLETED): an object of the
 * tenant for tests that need one of every kind.
 */
export async function startEmptyRollout(stack: TestStack, tenantId: string, rolloutId: string) {
  await graphqlOk(
    stack.apiUrl,
    'mutation ($t: ID!, $c: RolloutConfigInput!) { startRollout(tenantId: $t, rollout: $c) { created } }',
    {
      t: tenantId,
      c: {
        id: rolloutId,
        firmware: { version: '2.0', url: 'https://firmware.example.com/2.0.bin' },
        target: { models: ['model-nobody-has'] },
        waves: { mode: 'constant', size: 1 },
      },
    },
  );
}
