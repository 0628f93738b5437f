import { describe, expect, it } from 'vitest';
import { isRejection } from '../errors';
import { twinChangeCloudEvent } from './cloud-event';
import { parseWebhook, webhookTakes, type WebhookFilter } from './webhook';

describe('parseWebhook', () => {
  it.each([
    [{ id: 'erp', url: 'ftp://erp.example.com/hook' }, 'webhook:url.invalid'],
    [{ id: 'erp', url: 'not a url' }, 'webhook:url.invalid'],
    [{ id: 'erp', url: 'https://erp.example.com', maxAttempts: 0 }, 'webhook:invalid'],
    [{ id: 'no spaces', url: 'https://erp.example.com' }, 'webhook:invalid'],
    [{ id: 'erp', url: 'https://erp.example.com', filter: { kinds: [] } }, 'webhook:invalid'],
  ])('refuses %j with %s', (json, code) => {
    const parsed = parseWebhook(json);
    expect(isRejection(parsed) && parsed.code).toBe(code);
  });

  it('fills the defaults', () => {
    expect(parseWebhook({ id: 'erp', url: 'http://127.0.0.1:9/x' })).toEqual({
      id: 'erp',
      url: 'http://127.0.0.1:9/x',
      enabled: true,
      filter: {},
      maxAttempts: 10,
    });
  });
});

describe('webhookTakes', () => {
  const device = { aggregateType: 'device', aggregateId: 'd1', kind: 'connected' };
  const asset = { aggregateType: 'asset', aggregateId: 'a1', kind: 'bound' };
  it.each<[WebhookFilter, boolean, boolean]>([
    [{}, true, true],
    [{ kinds: ['connected'] }, true, false],
    [{ deviceIds: ['d1'] }, true, false],
    [{ deviceIds: ['d2'] }, false, false],
    [{ assetIds: ['a1'] }, false, true],
    [{ deviceIds: ['d1'], assetIds: ['a1'], kinds: ['bound'] }, false, true],
  ])('%j takes the device event: %s, the asset event: %s', (filter, d, a) => {
    expect([webhookTakes(filter, device), webhookTakes(filter, asset)]).toEqual([d, a]);
  });
});

describe('twinChangeCloudEvent', () => {
  it('names the twin in source, type and subject and keeps the cursor', () => {
    const event = twinChangeCloudEvent({
      id: 42,
      tenantId: 'acme',
      aggregateType: 'device',
      aggregateId: 'c-17',
      version: 3,
      kind: 'connected',
      event: { type: 'connected' },
      state: { version: 3 },
      occurredAt: '2024-01-01 10:00:00.5+00',
    });
    expect(event).toMatchObject({
      id: 'acme:42',
      source: '/doppel/tenants/acme/devices/c-17',
      type: 'dev.doppel.device.connected',
      subject: 'c-17',
      time: '2024-01-01T10:00:00.500Z',
      doppelcursor: '42',
      doppelversion: '3',
      data: { version: 3 },
    });
  });
});
