// Telemetry over a chosen period: one chart per numeric field, grouped by channel, in the
// canonical units of the device's profile. The query is bounded by the API's cap; when the
// period holds more samples than shown, the page says so.
import { useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { TelemetryChart } from './TelemetryChart';
import {
  PERIODS,
  seriesOf,
  unitsOf,
  type PeriodName,
  type TelemetrySample,
} from './telemetry-series';

/**
 * The API answers at most 1000 samples a query (Device.telemetry's `last`). The page asks for
 * all 1000 and shows one fewer: a full answer then proves that the period holds more.
 */
const API_CAP = 1000;
const SHOWN = API_CAP - 1;

const TELEMETRY = /* GraphQL */ `
  query DeviceTelemetry(
    $tenantId: ID!
    $deviceId: ID!
    $from: DateTime
    $to: DateTime
    $last: Int
  ) {
    device(tenantId: $tenantId, deviceId: $deviceId) {
      deviceId
      telemetry(from: $from, to: $to, last: $last) {
        at
        channel
        values
      }
    }
  }
`;

const PROFILE = /* GraphQL */ `
  query DeviceProfileUnits($tenantId: ID!, $model: ID!) {
    deviceProfile(tenantId: $tenantId, model: $model) {
      model
      version
      document
    }
  }
`;

interface Range {
  from: string;
  to: string | null;
}

/** A datetime-local input's value (local time, no zone) as an ISO instant. */
const fromLocal = (value: string) => (value ? new Date(value).toISOString() : null);

export function TelemetrySection({
  tenantId,
  deviceId,
  model,
}: {
  tenantId: string;
  deviceId: string;
  model: string | null;
}) {
  const [period, setPeriod] = useState<PeriodName>('hour');
  const [custom, setCustom] = useState({ from: '', to: '' });
  // The range is fixed when chosen (a moving "now" would be a new query at every render).
  const [asked, setAsked] = useState(0);
  const range: Range | null = useMemo(() => {
    if (period !== 'custom') {
      return { from: new Date(Date.now() - PERIODS[period].ms).toISOString(), to: null };
    }
    const from = fromLocal(custom.from);
    return from ? { from, to: fromLocal(custom.to) } : null;
    // `asked` is the Refresh button: the same period, up to now.
  }, [period, custom, asked]);
  const invalid = range?.to && range.to <= range.from ? 'the end must come after the start' : null;
  const [{ data, fetching, error }] = useQuery<{
    device: { telemetry: TelemetrySample[] } | null;
  }>({
    query: TELEMETRY,
    variables: { tenantId, deviceId, from: range?.from, to: range?.to, last: API_CAP },
    pause: !range || invalid !== null,
    requestPolicy: 'network-only',
  });
  const [profile] = useQuery<{ deviceProfile: { document: unknown } | null }>({
    query: PROFILE,
    variables: { tenantId, model: model ?? '' },
    pause: !model,
  });
  const samples = data?.device?.telemetry ?? [];
  const more = samples.length > SHOWN;
  const units = useMemo(() => unitsOf(profile.data?.deviceProfile?.document), [profile.data]);
  const series = useMemo(() => seriesOf(samples.slice(0, SHOWN), units), [samples, units]);
  const channels = [...new Set(series.map((s) => s.channel))];

  return (
    <section aria-labelledby="telemetry-heading" className="card">
      <h2 id="telemetry-heading">Telemetry</h2>
      <div className="period">
        <label>
          Period{' '}
          <select value={period} onChange={(e) => setPeriod(e.target.value as PeriodName)}>
            {Object.entries(PERIODS).map(([name, p]) => (
              <option key={name} value={name}>
                {p.label}
              </option>
            ))}
            <option value="custom">Custom</option>
          </select>
        </label>
        {period === 'custom' && (
          <>
            <label>
              From{' '}
              <input
                type="datetime-local"
                value={custom.from}
                onChange={(e) => setCustom({ ...custom, from: e.target.value })}
              />
            </label>
            <label>
              To{' '}
              <input
                type="datetime-local"
                value={custom.to}
                onChange={(e) => setCustom({ ...custom, to: e.target.value })}
              />
            </label>
          </>
        )}
        <button type="button" onClick={() => setAsked((n) => n + 1)}>
          Refresh
        </button>
      </div>
      {invalid && <p className="error">{invalid}</p>}
      {error && <p className="error">{error.message}</p>}
      {!model && <p className="hint">No model known: values are shown without units.</p>}
      {model && profile.data && !profile.data.deviceProfile && (
        <p className="hint">No profile for model {model}: values are shown without units.</p>
      )}
      <p className="hint" aria-live="polite">
        {fetching && !data
          ? 'Loading…'
          : more
            ? `The period holds more than ${SHOWN} samples: the newest ${SHOWN} are shown. Choose a shorter period to see all of it.`
            : `${samples.length} samples in the period.`}
      </p>
      {channels.map((channel) => (
        <section key={channel} aria-label={`Channel ${channel || 'device'}`} className="channel">
          <h3>{channel ? `Channel ${channel}` : 'Device'}</h3>
          <div className="charts">
            {series
              .filter((s) => s.channel === channel)
              .map((s) => (
                <TelemetryChart key={s.field} series={s} />
              ))}
          </div>
        </section>
      ))}
    </section>
  );
}
