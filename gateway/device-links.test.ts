import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { DeviceInput } from '../workflows/device-twin/messages';
import type { DeviceKey } from '../twins/ids';
import { Admission } from './admission';
import { AuthFailures } from './auth-failures';
import { DeviceLinks, type DeviceLinksOptions, type SessionControl } from './device-links';
import { GatewayMetrics } from './metrics';
import type { TelemetryWriter } from './telemetry-writer';
import { TwinInbox } from './twin-inbox';
import type { DeviceEvent } from './routing/webhooks';

const key: DeviceKey = { tenantId: 't1', deviceId: 'd1' };

/** A twin inbox whose signals the test settles by hand, in order. */
function harness() {
  const sent: { input: DeviceInput; settle: (error?: Error) => void }[] = [];
  const inbox = new TwinInbox('gw-test', (_key, input) => {
    return new Promise<void>((resolve, reject) => {
      sent.push({ input, settle: (error) => (error ? reject(error) : resolve()) });
    });
  });
  const copies: string[] = [];
  const closed: { code: number; reason: string }[] = [];
  const metrics = new GatewayMetrics();
  const opts: DeviceLinksOptions = {
    nodeId: 'gw-test',
    inbox,
    logger: pino({ level: 'silent' }),
    metrics,
    admission: new Admission({
      ratePerSecond: 100,
      flapLimit: 100,
      flapWindowMs: 1_000,
      coolDownMs: 1_000,
    }),
    authFailures: new AuthFailures({
      perDevice: 5,
      perSource: 100,
      windowMs: 60_000,
      lockMs: 1_000,
      maxLockMs: 1_000,
    }),
    telemetry: { write: async () => undefined } as unknown as TelemetryWriter,
    copies: { deliver: (_k, _m, event: DeviceEvent) => copies.push(event.kind) },
    authenticate: async () => false,
    authenticateCertificate: async () => false,
    profile: async () => null,
    normalise: async (_k, _m, state) => ({ state, flags: {} }),
  };
  const control: SessionControl = {
    close: (code, reason) => closed.push({ code, reason }),
    pushDesired: () => undefined,
  };
  const links = new DeviceLinks(opts);
  const flush = () => new Promise((r) => setImmediate(r));
  const counter = async (outcome: string) =>
    (await metrics.twinConnects.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  return { links, sent, copies, closed, control, flush, counter };
}

describe('device links', () => {
  it('opens a session before Temporal accepted the connect; reports follow it in order', async () => {
    const h = harness();
    const link = await h.links.open({
      key,
      model: 'm',
      seq: 1,
      protocol: 'json',
      control: h.control,
    });
    expect(h.links.size).toBe(1);
    expect(h.sent.map((s) => s.input.commands[0]!.type)).toEqual(['connect']);
    let reported = false;
    const report = link.report(2, { temp: 20 }).then(() => (reported = true));
    await h.flush();
    // The report waits for the connect: only one signal so far, nothing acknowledged.
    expect(h.sent).toHaveLength(1);
    expect(reported).toBe(false);
    expect(h.copies).toEqual([]);
    h.sent[0]!.settle();
    await h.flush();
    expect(h.copies).toEqual(['connected']);
    expect(h.sent.map((s) => s.input.commands[0]!.type)).toEqual(['connect', 'report']);
    h.sent[1]!.settle();
    await report;
    expect(h.copies).toEqual(['connected', 'report']);
    expect(await h.counter('accepted')).toBe(1);
    expect(h.closed).toEqual([]);
  });

  it('closes the connection when the twin cannot be told, and refuses its reports', async () => {
    const h = harness();
    const link = await h.links.open({
      key,
      model: null,
      seq: 1,
      protocol: 'mqtt',
      control: h.control,
    });
    const first = link.report(2, { temp: 20 });
    h.sent[0]!.settle(new Error('temporal unavailable'));
    await expect(first).rejects.toThrow('temporal unavailable');
    await expect(link.report(3, { temp: 21 })).rejects.toThrow('temporal unavailable');
    expect(h.closed).toEqual([{ code: 1013, reason: 'twin unavailable, try again later' }]);
    // No report reached the twin, and no copy tells a webhook of a session that never was.
    expect(h.sent).toHaveLength(1);
    link.close('disconnected');
    await h.flush();
    expect(h.copies).toEqual([]);
    expect(await h.counter('failed')).toBe(1);
  });

  it('keeps webhook copies in the device order when the device leaves before the twin knew', async () => {
    const h = harness();
    const link = await h.links.open({
      key,
      model: null,
      seq: 1,
      protocol: 'json',
      control: h.control,
    });
    await link.telemetry([{ at: '2026-01-01T00:00:00Z', values: { v: 1 } }]);
    link.close('disconnected');
    expect(h.copies).toEqual([]);
    h.sent[0]!.settle();
    await h.flush();
    expect(h.copies).toEqual(['connected', 'telemetry', 'disconnected']);
    // The link was gone already: the failure path's close is not called for a success either.
    expect(h.closed).toEqual([]);
    expect(h.links.size).toBe(0);
  });
});
