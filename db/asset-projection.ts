import { and, eq, isNull, sql as dsql } from 'drizzle-orm';
import { evolve, type AssetEvent, type AssetTwinState } from '../twins/asset';
import type { Database } from './client';
import { appendToOutbox } from './outbox-writer';
import { assetBindings, assets } from './schema';

function row(state: AssetTwinState) {
  return {
    tenantId: state.tenantId,
    assetId: state.assetId,
    siteId: state.siteId,
    customerId: state.customerId,
    name: state.name,
    kind: state.kind,
    attributes: { ...state.attributes },
    tags: [...state.tags],
    currentDeviceId: state.device?.deviceId ?? null,
    health: state.health,
    state,
    version: state.version,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt ?? new Date(0).toISOString(),
  };
}

/**
 * Writes an asset twin's new state, its binding history and one outbox row per event in one
 * transaction. Idempotent by version: a retried call changes nothing, and an older version
 * never overwrites a newer one.
 */
export async function projectAssetTwin(
  database: Database,
  before: AssetTwinState,
  events: readonly AssetEvent[],
): Promise<AssetTwinState> {
  const states: AssetTwinState[] = [];
  let state = before;
  for (const event of events) states.push((state = evolve(state, event)));
  if (states.length === 0) return before;
  const key = { tenantId: state.tenantId, assetId: state.assetId };

  await database.db.transaction(async (tx) => {
    const values = row(state);
    await tx
      .insert(assets)
      .values(values)
      .onConflictDoUpdate({
        target: [assets.tenantId, assets.assetId],
        set: { ...values },
        setWhere: dsql`${assets.version} < excluded.version`,
      });
    for (const [i, event] of events.entries()) {
      if (event.type === 'device-bound') {
        await tx
          .insert(assetBindings)
          .values({
            ...key,
            deviceId: event.deviceId,
            boundAt: event.at,
            boundVersion: states[i]!.version,
            boundBy: event.actor,
            boundReason: event.reason ?? null,
          })
          .onConflictDoNothing();
      } else if (event.type === 'device-unbound') {
        // Only the open binding of that device: a replayed unbind finds none and does nothing.
        await tx
          .update(assetBindings)
          .set({
            unboundAt: event.at,
            unboundBy: event.actor,
            unboundReason: event.reason ?? null,
          })
          .where(
            and(
              eq(assetBindings.tenantId, key.tenantId),
              eq(assetBindings.assetId, key.assetId),
              eq(assetBindings.deviceId, event.deviceId),
              isNull(assetBindings.unboundAt),
            ),
          );
      }
    }
    await appendToOutbox(
      tx,
      { type: 'asset', tenantId: state.tenantId, id: state.assetId },
      events.map((event, i) => ({ event, state: states[i]! })),
    );
  });
  return state;
}
