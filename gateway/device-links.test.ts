import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { IngestItem, IngestOutcome } from '../db/device-ingest';
import { initialDeviceState } from '../twins/device';
import { reject } from '../twins/errors';
import type { DeviceKey } from '../twins/ids';
import { Admission } from './admission';
import { AuthFailures } from './auth-failures';
import { DeviceLinks, type DeviceLinksOptions, type SessionControl } from './device-links';
import { GatewayMetrics } from './metrics';
import type { TelemetryWriter } from './telemetry-writer';
import { IngestWriter } from './ingest-writer';
import type { DeviceEvent } from './routing/webhooks';

const key: DeviceKey = { tenantId: 't1', deviceId: 'd1' };

type Settle = (error?: Error | { refused: string }) => void;

/** An ingest writer whose batches the test commits (or fails, or refuses) by hand, in order. */
function harness() {
  const sent: { input: { commands: IngestItem['command'][] }; settle: Settle }[] = [];
  const ingest = new IngestWriter(
    (items) =>
      new Promise<IngestOutcome[]>((resolve, fail) => {
        const settle: Settle = (error) => {
          if (error instanceof Error) return fail(error);
          resolve(
            items.map((i) =>
              error
                ? { rejection: reject(error.refused, `refused: ${error.refused}`) }
                : { events: [], after: initialDeviceState(i.key) },
            ),
          );
        };
        sent.push({ input: { commands: items.map((i) => i.command) }, settle });
      }),
    1_000,
    0,
  );
  const copies: string[] = [];
  const closed: { code: number; reason: string }[] = [];
  const metrics = new GatewayMetrics();
  const opts: DeviceLinksOptions = {
    nodeId: 'gw-test',
    ingest,
    settings: { offlineGraceMs: 0 },
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
  const flush = () => new Promise((r) => setTimeout(r, 10));
  const counter = async (outcome: string) =>
    (await metrics.twinConnects.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  return { links, sent, copies, closed, control, flush, counter };
}

describe('device links', () => {
  it('opens a session before the connect is committed; reports follow it in order', async () => {
    const h = harness();
    const link = await h.links.open({
      key,
      model: 'm',
      seq: 1,
      protocol: 'json',
      control: h.control,
    });
    expect(h.links.size).toBe(1);
    await h.flush();
    expect(h.sent.map((s) => s.input.commands[0]!.type)).toEqual(['connect']);
    let reported = false;
    const report = link.report(2, { temp: 20 }).then(() => (reported = true));
    await h.flush();
    // The report waits for the connect: only one signal so far, nothing acknowledged.
    expect(h.sent).toHaveLength(1);
    expect(reported).toBe(false);
    expect(h.copies).toEqual([]);
    await h.flush();
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

  it('keeps no function of its own on an idle link (memory per idle connection)', async () => {
    // A closure made per connection keeps its whole scope (the open() call's input, control,
    // promises) for as long as the connection lives: an idle link holds data, not functions.
    const h = harness();
    const link = await h.links.open({
      key,
      model: null,
      seq: 1,
      protocol: 'json',
      control: h.control,
    });
    await h.flush();
    h.sent[0]!.settle();
    await h.flush();
    const functions = Object.entries(link).filter(([, value]) => typeof value === 'function');
    expect(functions.map(([name]) => name)).toEqual([]);
    link.close('disconnected');
    expect(h.links.size).toBe(0);
  });

  it('closes the connection when the connect cannot be committed, and refuses its reports', async () => {
    const h = harness();
    const link = await h.links.open({
      key,
      model: null,
      seq: 1,
      protocol: 'mqtt',
      control: h.control,
    });
    const first = link.report(2, { temp: 20 });
    // The batch fails, is tried once more, and fails again.
    await h.flush();
    h.sent[0]!.settle(new Error('database unavailable'));
    await h.flush();
    h.sent[1]!.settle(new Error('database unavailable'));
    await expect(first).rejects.toThrow('database unavailable');
    await expect(link.report(3, { temp: 21 })).rejects.toThrow('database unavailable');
    expect(h.closed).toEqual([{ code: 1013, reason: 'twin unavailable, try again later' }]);
    // No report reached the record, and no copy tells a webhook of a session that never was.
    expect(h.sent.flatMap((s) => s.input.commands.map((c) => c.type))).toEqual([
      'connect',
      'connect',
    ]);
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
    await h.flush();
    h.sent[0]!.settle();
    await h.flush();
    expect(h.copies).toEqual(['connected', 'telemetry', 'disconnected']);
    // The link was gone already: the failure path's close is not called for a success either.
    expect(h.closed).toEqual([]);
    expect(h.links.size).toBe(0);
  });

  it('closes a retired or replaced device with 4403 when the record refuses its connect', async () => {
    const h = harness();
    const link = await h.links.open({
      key,
      model: null,
      seq: 1,
      protocol: 'json',
      control: h.control,
    });
    const report = link.report(2, { temp: 20 });
    await h.flush();
    h.sent[0]!.settle({ refused: 'twin:device.closed' });
    await expect(report).rejects.toThrow('refused: twin:device.closed');
    expect(h.closed).toEqual([{ code: 4403, reason: 'refused: twin:device.closed' }]);
    expect(h.copies).toEqual([]);
  });
});
