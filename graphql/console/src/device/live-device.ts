// The device as the page shows it: one query for everything about it, and a subscription to
// its changes so that what moves often (reported state, connectivity, commands) follows live.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useQuery, useSubscription } from 'urql';

/** What every change carries: the fields a device's changes move. */
const LIVE_FIELDS = /* GraphQL */ `
  fragment DeviceLive on Device {
    version
    model
    firmware
    tags
    updatedAt
    lifecycle {
      state
      at
      actor
      reason
      replacedBy
    }
    alarmsMuted
    excludedFromRollouts
    connectivity {
      status
      reason
      since
      offlineAfter
    }
    reported
    desired
    delta
    shadowVersion
    flagged {
      field
      code
    }
    commands {
      id
      name
      params
      status
      result
      actor
      queuedAt
      expiresAt
      completedAt
    }
  }
`;

const DEVICE = /* GraphQL */ `
  query DevicePage($tenantId: ID!, $deviceId: ID!) {
    device(tenantId: $tenantId, deviceId: $deviceId) {
      deviceId
      workflowId
      ...DeviceLive
      lifecycleHistory {
        from
        to
        at
        actor
        reason
        replacedBy
        effects
        version
      }
      whyOffline {
        reason
        since
        detail
      }
      asset {
        assetId
        name
        kind
      }
      site {
        siteId
        name
      }
      customer {
        customerId
        name
      }
    }
  }
  ${LIVE_FIELDS}
`;

const CHANGES = /* GraphQL */ `
  subscription DeviceChanges($tenantId: ID!, $deviceId: ID!) {
    deviceChanged(tenantId: $tenantId, deviceId: $deviceId) {
      cursor
      kind
      device {
        ...DeviceLive
      }
    }
  }
  ${LIVE_FIELDS}
`;

export interface Command {
  id: string;
  name: string;
  params: Record<string, unknown>;
  status: string;
  result: Record<string, unknown> | null;
  actor: string;
  queuedAt: string;
  expiresAt: string;
  completedAt: string | null;
}

export interface LifecycleChange {
  from: string;
  to: string;
  at: string;
  actor: string;
  reason: string;
  replacedBy: string | null;
  effects: string[];
  version: number;
}

export interface LiveFields {
  version: number;
  model: string | null;
  firmware: string | null;
  tags: string[];
  updatedAt: string | null;
  lifecycle: {
    state: string;
    at: string | null;
    actor: string;
    reason: string;
    replacedBy: string | null;
  };
  alarmsMuted: boolean;
  excludedFromRollouts: boolean;
  connectivity: {
    status: string;
    reason: string | null;
    since: string | null;
    offlineAfter: string | null;
  };
  reported: Record<string, unknown>;
  desired: Record<string, unknown>;
  delta: Record<string, unknown>;
  shadowVersion: number;
  flagged: { field: string; code: string }[];
  commands: Command[];
}

export interface DeviceDetail extends LiveFields {
  deviceId: string;
  workflowId: string;
  lifecycleHistory: LifecycleChange[];
  whyOffline: { reason: string; since: string | null; detail: string } | null;
  asset: { assetId: string; name: string; kind: string | null } | null;
  site: { siteId: string; name: string } | null;
  customer: { customerId: string; name: string } | null;
}

/** Reported changes come often and move only live fields; other changes refetch the rest. */
const LIVE_ONLY = new Set(['reported', 'noted']);
/** At most one refetch this often, however many changes arrive. */
const REFETCH_MS = 1_000;

export interface LiveDevice {
  device: DeviceDetail | null;
  fetching: boolean;
  error: string | undefined;
  /** Whether the change subscription is up. */
  live: boolean;
  /** Grows with every change the page heard of: sections with queries of their own refetch. */
  changes: number;
  refetch(): void;
}

export function useLiveDevice(tenantId: string, deviceId: string): LiveDevice {
  const variables = useMemo(() => ({ tenantId, deviceId }), [tenantId, deviceId]);
  const [result, refetchQuery] = useQuery<{ device: DeviceDetail | null }>({
    query: DEVICE,
    variables,
  });
  const [changed] = useSubscription<{
    deviceChanged: { cursor: string; kind: string; device: LiveFields };
  }>({ query: CHANGES, variables });
  const [latest, setLatest] = useState<LiveFields | null>(null);
  const [changes, setChanges] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => setLatest(null), [variables]);
  useEffect(() => {
    const change = changed.data?.deviceChanged;
    if (!change) return;
    setLatest((now) => (now && now.version >= change.device.version ? now : change.device));
    if (LIVE_ONLY.has(change.kind) || pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      setChanges((n) => n + 1);
      refetchQuery({ requestPolicy: 'network-only' });
    }, REFETCH_MS);
  }, [changed.data, refetchQuery]);
  useEffect(
    () => () => {
      if (pending.current) clearTimeout(pending.current);
    },
    [],
  );

  const fetched = result.data?.device ?? null;
  // The newer of what the query and the subscription said, by the twin's version.
  const device =
    fetched && latest && latest.version > fetched.version ? { ...fetched, ...latest } : fetched;
  return {
    device,
    fetching: result.fetching,
    error: result.error?.message,
    live: !changed.error,
    changes,
    refetch: () => refetchQuery({ requestPolicy: 'network-only' }),
  };
}
