// One rollout, live: its status and the reason it paused, counts, the waves as a picture, the
// health gates' evidence, the controls a role may use, and its devices page by page.
import { useEffect } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { tenantPath } from '../tenant-path';
import { useLiveVersion } from '../use-live-version';
import { CountsLegend, STATUS_WORDS } from './CountsBar';
import { HealthChecks, type HealthCheck } from './HealthChecks';
import { RolloutControls } from './RolloutControls';
import { RolloutDevices } from './RolloutDevices';
import { WaveChart, type Wave } from './WaveChart';
import {
  COUNTS_FIELDS,
  DEVICE_STATUSES,
  ENDED,
  timeOf,
  total,
  whatOf,
  type Counts,
} from './rollout-view';
import '../operations.css';

const ROLLOUT = /* GraphQL */ `
  query Rollout($tenantId: ID!, $rolloutId: ID!) {
    rollout(tenantId: $tenantId, rolloutId: $rolloutId) {
      rolloutId
      kind
      status
      reason
      config
      counts { ${COUNTS_FIELDS} }
      waves {
        wave
        from
        size
        counts { ${COUNTS_FIELDS} }
      }
      healthChecks {
        wave
        status
        bakeFrom
        bakeUntil
        judgedAt
        reason
        evidence
      }
      createdBy
      createdAt
      updatedAt
    }
  }
`;

const PROGRESS = /* GraphQL */ `
  subscription RolloutProgress($tenantId: ID!, $rolloutId: ID!) {
    rolloutProgress(tenantId: $tenantId, rolloutId: $rolloutId) {
      status
      reason
      counts { ${COUNTS_FIELDS} }
    }
  }
`;

export interface RolloutDetail {
  rolloutId: string;
  kind: 'FIRMWARE' | 'COMMAND';
  status: string;
  reason: string | null;
  config: Record<string, unknown>;
  counts: Counts;
  waves: Wave[];
  healthChecks: HealthCheck[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

type Progress = { rolloutProgress: Pick<RolloutDetail, 'status' | 'reason' | 'counts'> };

/** At most one read of the whole rollout this often while devices move. */
const REFRESH_MS = 1_000;

export function RolloutPage({ tenantId }: { tenantId: string }) {
  const rolloutId = useParams().rolloutId ?? '';
  const variables = { tenantId, rolloutId };
  const { version, latest, live } = useLiveVersion<Progress>(PROGRESS, variables, REFRESH_MS);
  const [{ data, error, fetching }, refetch] = useQuery<{ rollout: RolloutDetail | null }>({
    query: ROLLOUT,
    variables,
  });
  useEffect(() => {
    if (version > 0) refetch({ requestPolicy: 'network-only' });
  }, [version, refetch]);
  const rollout = data?.rollout;
  if (error) return <p className="error">{error.message}</p>;
  if (!rollout) return <p>{fetching ? 'Loading…' : `No rollout ${rolloutId}.`}</p>;
  // The subscription's figures are the newest; the query's fill in the rest.
  const now = { ...rollout, ...latest?.rolloutProgress };
  const ended = ENDED.has(now.status);
  return (
    <>
      <h1>
        Rollout {rollout.rolloutId}{' '}
        <span className={`status ${now.status.toLowerCase()}`} aria-label="Status">
          {now.status}
        </span>{' '}
        {!ended && <span className={live ? 'live' : 'stale'}>{live ? 'live' : 'not live'}</span>}
      </h1>
      <p>
        <Link to={tenantPath(tenantId, 'rollouts')}>All rollouts</Link>
      </p>
      <dl className="facts">
        <div>
          <dt>Kind</dt>
          <dd>{rollout.kind === 'FIRMWARE' ? 'firmware rollout' : 'bulk command'}</dd>
        </div>
        <div>
          <dt>Installs / sends</dt>
          <dd>{whatOf(rollout.config)}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>
            {timeOf(rollout.createdAt)} by {rollout.createdBy}
          </dd>
        </div>
        <div>
          <dt>Devices</dt>
          <dd>{total(now.counts)}</dd>
        </div>
      </dl>
      {now.reason && (
        <p className="reason" role="status" aria-label="Reason">
          {now.reason}
        </p>
      )}
      <RolloutControls
        tenantId={tenantId}
        rolloutId={rollout.rolloutId}
        status={now.status}
        counts={now.counts}
      />
      <section aria-label="Counts" className="summary">
        {DEVICE_STATUSES.map((status) => {
          const key = status.toLowerCase() as keyof Counts;
          return (
            <div key={key} className="tile count" data-count={key}>
              <span className="name">{STATUS_WORDS[status]}</span>{' '}
              <strong>{now.counts[key]}</strong>
            </div>
          );
        })}
      </section>
      <WaveChart waves={rollout.waves} devices={total(now.counts)} />
      <CountsLegend />
      <HealthChecks checks={rollout.healthChecks} />
      <RolloutDevices tenantId={tenantId} rolloutId={rollout.rolloutId} version={version} />
    </>
  );
}
