// The rollout form's time and watch: start and end, maintenance windows (cron and duration, in a
// time zone), continuous mode, and the health gate judged after each wave.
import type { RolloutForm } from './rollout-form';
import { FormField } from './FormField';
import type { SectionProps } from './NewRolloutPage';

export function ScheduleFields({ form, set, issues }: SectionProps) {
  const field = (key: keyof RolloutForm) => ({
    value: form[key] as string,
    onChange: (v: string) => set(key, v as never),
    issues: issues[key],
  });
  const number = (key: keyof RolloutForm, placeholder?: string) => ({
    ...field(key),
    type: 'number',
    step: 'any',
    ...(placeholder ? { placeholder, hint: `default ${placeholder}` } : {}),
  });
  const setWindow = (i: number, change: Partial<RolloutForm['windows'][number]>) =>
    set(
      'windows',
      form.windows.map((w, j) => (j === i ? { ...w, ...change } : w)),
    );
  return (
    <>
      <fieldset>
        <legend>Schedule</legend>
        <FormField label="Not before" type="datetime-local" {...field('startAt')} />
        <FormField label="Nothing new after" type="datetime-local" {...field('endAt')} />
        <FormField
          label="Time zone of the windows"
          {...field('timezone')}
          placeholder="UTC"
          hint="IANA, e.g. Europe/Berlin"
        />
        <fieldset className="windows">
          <legend>Maintenance windows</legend>
          {form.windows.length === 0 && (
            <p className="hint">None: devices may be updated at any time.</p>
          )}
          {form.windows.map((w, i) => (
            <div key={i} className="window" role="group" aria-label={`Window ${i + 1}`}>
              <FormField
                label={`Window ${i + 1} opens (cron)`}
                value={w.cron}
                onChange={(cron) => setWindow(i, { cron })}
                issues={issues[`window.${i}.cron`]}
                placeholder="0 1 * * 1-5"
                required
              />
              <FormField
                label={`Window ${i + 1} minutes`}
                type="number"
                min={1}
                step={1}
                value={w.durationMinutes}
                onChange={(durationMinutes) => setWindow(i, { durationMinutes })}
                issues={issues[`window.${i}.durationMinutes`]}
                required
              />
              <button
                type="button"
                onClick={() =>
                  set(
                    'windows',
                    form.windows.filter((_, j) => j !== i),
                  )
                }
              >
                Remove window {i + 1}
              </button>
            </div>
          ))}
          <button
            type="button"
            onClick={() => set('windows', [...form.windows, { cron: '', durationMinutes: '' }])}
          >
            Add a window
          </button>
        </fieldset>
        <div className="field checkbox">
          <label>
            <input
              type="checkbox"
              checked={form.continuous}
              onChange={(e) => set('continuous', e.target.checked)}
            />{' '}
            Continuous: devices that match later join
          </label>
        </div>
        {form.continuous && (
          <FormField label="Look for newcomers every (s)" {...number('checkEveryS', '300')} />
        )}
      </fieldset>
      <fieldset>
        <legend>Health gate</legend>
        <div className="field checkbox">
          <label>
            <input
              type="checkbox"
              checked={form.healthGate}
              onChange={(e) => set('healthGate', e.target.checked)}
            />{' '}
            Bake after each wave and compare the updated devices with the others
          </label>
        </div>
        {form.healthGate && (
          <>
            <FormField label="Bake (s)" {...number('bakeSeconds')} min={1} step={1} required />
            <FormField
              label="Alarms per device, ratio at most"
              {...number('maxAlarmRatio', '1.5')}
            />
            <FormField
              label="New fault fingerprints at most"
              {...number('maxNewFingerprints', '0')}
            />
            <FormField
              label="Reconnects per device, ratio at most"
              {...number('maxReconnectRatio', '2')}
            />
            <FormField
              label="Failed sessions, ratio at most"
              {...number('maxFailedSessionRatio', '1.5')}
            />
            <FormField label="Fewest updated devices to judge" {...number('minDevices', '1')} />
          </>
        )}
      </fieldset>
    </>
  );
}
