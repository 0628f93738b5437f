// The rollout form's safety controls: canary, waves, concurrency, per-device limits, what to do
// with offline devices, and the abort criteria. Blank fields take the API's defaults (shown).
import type { RolloutForm } from './rollout-form';
import { FormField } from './FormField';
import type { SectionProps } from './NewRolloutPage';

export function SafetyFields({ form, set, issues }: SectionProps) {
  const field = (key: keyof RolloutForm, placeholder?: string) => ({
    value: form[key] as string,
    onChange: (v: string) => set(key, v as never),
    issues: issues[key],
    type: 'number',
    ...(placeholder ? { placeholder, hint: `default ${placeholder}` } : {}),
  });
  return (
    <>
      <fieldset>
        <legend>Canary and waves</legend>
        <FormField label="Canary devices" {...field('canary', '1')} min={1} step={1} />
        <div className="field">
          <label htmlFor="wave-mode">Wave size</label>
          <select
            id="wave-mode"
            value={form.waveMode}
            onChange={(e) => set('waveMode', e.target.value as RolloutForm['waveMode'])}
          >
            <option value="constant">constant</option>
            <option value="exponential">growing (exponential)</option>
          </select>
          {issues.waveMode && (
            <small className="error field-error">{issues.waveMode.join('; ')}</small>
          )}
        </div>
        {form.waveMode === 'constant' ? (
          <FormField label="Devices per wave" {...field('waveSize', '100')} min={1} step={1} />
        ) : (
          <>
            <FormField label="First wave" {...field('waveBase')} min={1} step={1} required />
            <FormField
              label="Growth factor"
              {...field('waveFactor')}
              min={1.1}
              max={10}
              step={0.1}
              required
            />
            <FormField label="Largest wave" {...field('waveMaximum')} min={1} step={1} required />
          </>
        )}
        <FormField label="Devices at once" {...field('maxConcurrency', '50')} min={1} step={1} />
      </fieldset>
      <fieldset>
        <legend>Per device</legend>
        <FormField label="Time-out (s)" {...field('timeoutS', '1800')} min={5} step={1} />
        <FormField label="Retries" {...field('retries', '1')} min={0} step={1} />
        <div className="field">
          <label htmlFor="offline-policy">Device offline at its turn</label>
          <select
            id="offline-policy"
            value={form.offline}
            onChange={(e) => set('offline', e.target.value as RolloutForm['offline'])}
          >
            <option value="wait">wait for it (within its time-out)</option>
            <option value="skip">skip it</option>
          </select>
        </div>
      </fieldset>
      <fieldset>
        <legend>Abort criteria</legend>
        <p className="hint">Met, the rollout pauses itself with the reason.</p>
        <FormField
          label="Failed share (%)"
          {...field('failurePercent', '20')}
          min={0}
          max={100}
          step="any"
        />
        <FormField
          label="…after devices finished"
          {...field('minExecuted', '10')}
          min={1}
          step={1}
        />
        <FormField label="Pause after failures" {...field('maxFailures')} min={1} step={1} />
      </fieldset>
    </>
  );
}
