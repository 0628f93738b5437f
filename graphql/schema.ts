import { createGraphQLError, createSchema, filter, pipe, type PubSub } from 'graphql-yoga';
import { DateTimeResolver, JSONObjectResolver } from 'graphql-scalars';
import type { Client } from '@temporalio/client';
import type { Database } from '../db/client';
import { issueDeviceSecret } from '../db/credentials';
import { findDeviceTwin } from '../db/device-projection';
import type { OutboxEntry } from '../db/outbox-reader';
import type { DeviceTwinState } from '../twins/device';
import { deviceWorkflowId, isValidId } from '../twins/ids';
import { sendToDeviceTwin } from '../workflows/device-twin/client';

export interface ApiContext {
  database: Database;
  temporal: Client;
  pubSub: PubSub<{ outbox: [OutboxEntry] }>;
}

const typeDefs = /* GraphQL */ `
  scalar DateTime
  scalar JSONObject

  enum Lifecycle {
    PROVISIONED
    ACTIVE
    INACTIVE
    MAINTENANCE
    REPLACED
    RETIRED
  }
  enum ConnectivityStatus {
    ONLINE
    OFFLINE
    UNKNOWN
  }

  "Where the device is in its business lifecycle, and who put it there."
  type LifecycleStatus {
    state: Lifecycle!
    at: DateTime
    actor: String!
    reason: String!
  }

  "Whether the device is connected now; a separate axis from the lifecycle."
  type Connectivity {
    status: ConnectivityStatus!
    "Why it is offline: disconnected, heartbeat-missed, gateway-lost or will."
    reason: String
    since: DateTime
  }

  "A device twin as last projected from its workflow."
  type Device {
    tenantId: ID!
    deviceId: ID!
    "The twin's Temporal workflow id, to look it up in Temporal UI."
    workflowId: String!
    lifecycle: LifecycleStatus!
    connectivity: Connectivity!
    reported: JSONObject!
    model: String
    firmware: String
    "Incremented by every change; subscribers detect gaps with it."
    version: Int!
    updatedAt: DateTime
  }

  type DeviceChange {
    "The outbox position of this change."
    cursor: ID!
    "registered, lifecycle-changed, connected, reported or disconnected."
    kind: String!
    version: Int!
    occurredAt: DateTime!
    device: Device!
  }

  input RegisterDeviceInput {
    tenantId: ID!
    deviceId: ID!
    model: String
  }

  type RegisterDevicePayload {
    device: Device
    workflowId: String!
    "The device's secret for hello.token. Shown once: only its hash is stored."
    token: String!
  }

  type Query {
    device(tenantId: ID!, deviceId: ID!): Device
  }

  type Mutation {
    registerDevice(input: RegisterDeviceInput!): RegisterDevicePayload!
  }

  type Subscription {
    "Changes of a tenant's device twins, optionally of one device."
    deviceChanged(tenantId: ID!, deviceId: ID): DeviceChange!
  }
`;

function deviceView(state: DeviceTwinState) {
  return {
    ...state,
    workflowId: deviceWorkflowId(state),
    lifecycle: {
      ...state.lifecycle,
      state: state.lifecycle.state.toUpperCase(),
      at: state.lifecycle.at || null,
    },
    connectivity: { ...state.connectivity, status: state.connectivity.status.toUpperCase() },
  };
}

function requireId(name: string, value: string): void {
  if (!isValidId(value)) {
    throw createGraphQLError(
      `${name} must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      {
        extensions: { code: 'api:input.invalid-id', field: name },
      },
    );
  }
}

export const schema = createSchema<ApiContext>({
  typeDefs,
  resolvers: {
    DateTime: DateTimeResolver,
    JSONObject: JSONObjectResolver,
    Query: {
      device: async (_, args: { tenantId: string; deviceId: string }, ctx) => {
        const state = await findDeviceTwin(ctx.database, args);
        return state ? deviceView(state) : null;
      },
    },
    Mutation: {
      registerDevice: async (
        _,
        { input }: { input: { tenantId: string; deviceId: string; model?: string | null } },
        ctx,
      ) => {
        requireId('tenantId', input.tenantId);
        requireId('deviceId', input.deviceId);
        const key = { tenantId: input.tenantId, deviceId: input.deviceId };
        const token = await issueDeviceSecret(ctx.database, key);
        if (!token) {
          throw createGraphQLError(
            `device ${input.deviceId} is already registered in tenant ${input.tenantId}`,
            {
              extensions: { code: 'twin:device.already-registered' },
            },
          );
        }
        await sendToDeviceTwin(ctx.temporal, key, [
          {
            type: 'register',
            at: new Date().toISOString(),
            actor: 'api',
            ...(input.model ? { model: input.model } : {}),
          },
        ]);
        const state = await findDeviceTwin(ctx.database, key);
        return {
          device: state ? deviceView(state) : null,
          workflowId: deviceWorkflowId(key),
          token,
        };
      },
    },
    Subscription: {
      deviceChanged: {
        subscribe: (_, args: { tenantId: string; deviceId?: string | null }, ctx) =>
          pipe(
            ctx.pubSub.subscribe('outbox'),
            filter(
              (e: OutboxEntry) =>
                e.aggregateType === 'device' &&
                e.tenantId === args.tenantId &&
                (!args.deviceId || e.aggregateId === args.deviceId),
            ),
          ),
        resolve: (e: OutboxEntry) => ({
          cursor: String(e.id),
          kind: e.kind,
          version: e.version,
          occurredAt: e.occurredAt,
          device: deviceView(e.state),
        }),
      },
    },
  },
});
