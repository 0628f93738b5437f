// The guided rollout form as data: what the operator typed (strings, as inputs hold them), the
// RolloutConfigInput it becomes (blank means "the default"), and the API's refusal issues put
// beside the field they name. The API's zod schema stays the one judge of values.

export interface MaintenanceWindowForm {
  cron: string;
  durationMinutes: string;
}

export interface RolloutForm {
  id: string;
  version: string;
  url: string;
  checksum: string;
  fromVersions: string;
  /** Target, as the fleet table's filters spell it. */
  customerId: string;
  siteId: string;
  model: string;
  firmware: string;
  tag: string;
  canary: string;
  waveMode: 'constant' | 'exponential';
  waveSize: string;
  waveBase: string;
  waveFactor: string;
  waveMaximum: string;
  maxConcurrency: string;
  timeoutS: string;
  retries: string;
  offline: 'wait' | 'skip';
  failurePercent: string;
  minExecuted: string;
  maxFailures: string;
  /** datetime-local values, in the browser's time. */
  startAt: string;
  endAt: string;
  timezone: string;
  windows: MaintenanceWindowForm[];
  healthGate: boolean;
  bakeSeconds: string;
  maxAlarmRatio: string;
  maxNewFingerprints: string;
  maxReconnectRatio: string;
  maxFailedSessionRatio: string;
  minDevices: string;
  continuous: boolean;
  checkEveryS: string;
}

/** A fresh form: an id to keep or change, everything else blank (the API's defaults). */
export function emptyForm(now = new Date()): RolloutForm {
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return {
    id: `fw-${stamp}`,
    version: '',
    url: '',
    checksum: '',
    fromVersions: '',
    customerId: '',
    siteId: '',
    model: '',
    firmware: '',
    tag: '',
    canary: '',
    waveMode: 'constant',
    waveSize: '',
    waveBase: '',
    waveFactor: '',
    waveMaximum: '',
    maxConcurrency: '',
    timeoutS: '',
    retries: '',
    offline: 'wait',
    failurePercent: '',
    minExecuted: '',
    maxFailures: '',
    startAt: '',
    endAt: '',
    timezone: '',
    windows: [],
    healthGate: false,
    bakeSeconds: '',
    maxAlarmRatio: '',
    maxNewFingerprints: '',
    maxReconnectRatio: '',
    maxFailedSessionRatio: '',
    minDevices: '',
    continuous: false,
    checkEveryS: '',
  };
}

type Json = Record<string, unknown>;

const text = (v: string) => (v.trim() === '' ? undefined : v.trim());
/** A number as typed; what is not one goes to the API as typed, so its refusal names the field. */
const num = (v: string) => (v.trim() === '' ? undefined : Number(v));
const list = (v: string) => {
  const items = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
};
const instant = (v: string) => (v ? new Date(v).toISOString() : undefined);

/** Drops what is undefined, and objects left empty (the API's defaults apply). */
function compact(value: Json): Json | undefined {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** The device filter the target is (the fleet table's `DeviceFilter`), for the live count. */
export function targetFilter(form: RolloutForm): Json {
  return (
    compact({
      customerId: text(form.customerId),
      siteId: text(form.siteId),
      model: text(form.model),
      firmware: text(form.firmware),
      tag: text(form.tag),
    }) ?? {}
  );
}

/** The form as the API's RolloutConfigInput. */
export function rolloutInput(form: RolloutForm): Json {
  const one = (v: string) => (text(v) ? [text(v)!] : undefined);
  const waves =
    form.waveMode === 'constant'
      ? compact({ mode: 'constant', size: num(form.waveSize) })
      : compact({
          mode: 'exponential',
          base: num(form.waveBase),
          factor: num(form.waveFactor),
          maximum: num(form.waveMaximum),
        });
  return compact({
    id: form.id.trim(),
    firmware: compact({
      version: form.version.trim(),
      url: form.url.trim(),
      checksum: text(form.checksum),
    }),
    compatibility: compact({ fromVersions: list(form.fromVersions) }),
    target: compact({
      customerId: text(form.customerId),
      siteId: text(form.siteId),
      models: one(form.model),
      firmware: one(form.firmware),
      tags: one(form.tag),
    }),
    canary: num(form.canary) === undefined ? undefined : { devices: num(form.canary) },
    // Only a constant wave of the default size may leave its size out: the mode alone says little.
    waves: form.waveMode === 'constant' && form.waveSize.trim() === '' ? undefined : waves,
    maxConcurrency: num(form.maxConcurrency),
    perDevice: compact({ timeoutS: num(form.timeoutS), retries: num(form.retries) }),
    abort: compact({
      failurePercent: num(form.failurePercent),
      minExecuted: num(form.minExecuted),
      maxFailures: num(form.maxFailures),
    }),
    offline: form.offline,
    schedule: compact({
      startAt: instant(form.startAt),
      endAt: instant(form.endAt),
      timezone: text(form.timezone),
      maintenanceWindows: form.windows.length
        ? form.windows.map((w) => ({
            cron: w.cron.trim(),
            durationMinutes: num(w.durationMinutes),
          }))
        : undefined,
    }),
    healthGate: form.healthGate
      ? {
          bakeSeconds: num(form.bakeSeconds),
          ...compact({
            maxAlarmRatio: num(form.maxAlarmRatio),
            maxNewFingerprints: num(form.maxNewFingerprints),
            maxReconnectRatio: num(form.maxReconnectRatio),
            maxFailedSessionRatio: num(form.maxFailedSessionRatio),
            minDevices: num(form.minDevices),
          }),
        }
      : undefined,
    continuous: form.continuous
      ? (compact({ checkEveryS: num(form.checkEveryS) }) ?? {})
      : undefined,
  })!;
}

/** Which form field shows an issue at this path of the configuration. */
const FIELD_OF: Record<string, keyof RolloutForm> = {
  id: 'id',
  'firmware.version': 'version',
  'firmware.url': 'url',
  'firmware.checksum': 'checksum',
  'compatibility.fromVersions': 'fromVersions',
  'target.customerId': 'customerId',
  'target.siteId': 'siteId',
  'target.models': 'model',
  'target.firmware': 'firmware',
  'target.tags': 'tag',
  canary: 'canary',
  'waves.size': 'waveSize',
  'waves.base': 'waveBase',
  'waves.factor': 'waveFactor',
  'waves.maximum': 'waveMaximum',
  waves: 'waveMode',
  maxConcurrency: 'maxConcurrency',
  'perDevice.timeoutS': 'timeoutS',
  'perDevice.retries': 'retries',
  'abort.failurePercent': 'failurePercent',
  'abort.minExecuted': 'minExecuted',
  'abort.maxFailures': 'maxFailures',
  'schedule.startAt': 'startAt',
  'schedule.endAt': 'endAt',
  'schedule.timezone': 'timezone',
  'healthGate.bakeSeconds': 'bakeSeconds',
  'healthGate.maxAlarmRatio': 'maxAlarmRatio',
  'healthGate.maxNewFingerprints': 'maxNewFingerprints',
  'healthGate.maxReconnectRatio': 'maxReconnectRatio',
  'healthGate.maxFailedSessionRatio': 'maxFailedSessionRatio',
  'healthGate.minDevices': 'minDevices',
  healthGate: 'bakeSeconds',
  'continuous.checkEveryS': 'checkEveryS',
};

export interface Issue {
  path: Array<string | number>;
  message: string;
}

/** Where issues go: a form field, a maintenance window's field (`window.<i>.<field>`) or `form`. */
export function placeIssues(issues: readonly Issue[]): Record<string, string[]> {
  const placed: Record<string, string[]> = {};
  const put = (where: string, message: string) => (placed[where] ??= []).push(message);
  for (const issue of issues) {
    const path = issue.path.map(String);
    if (path[0] === 'schedule' && path[1] === 'maintenanceWindows' && path[2] !== undefined) {
      put(`window.${path[2]}.${path[3] ?? 'cron'}`, issue.message);
      continue;
    }
    // The longest prefix of the path that is a field (target.models.0 is the model's).
    let field: string | undefined;
    for (let n = path.length; n > 0 && !field; n--) field = FIELD_OF[path.slice(0, n).join('.')];
    put(
      field ?? 'form',
      field ? issue.message : `${path.join('.') || 'configuration'}: ${issue.message}`,
    );
  }
  return placed;
}
