import { readFileSync } from 'node:fs';
import { z } from 'zod';

const figure = z.object({
  value: z.number().nonnegative(),
  unit: z.string(),
  basis: z.enum(['measured', 'previous design', 'design default', 'assumption']),
  source: z.string().min(1),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  note: z.string().optional(),
});
export type InputFigure = z.infer<typeof figure>;

/** Every figure the model reads; a missing or misspelt one fails at load, naming it. */
export const INPUT_KEYS = [
  'gateway.maxConnections',
  'gateway.kibPerConnection',
  'gateway.cpuUsPerMessage',
  'gateway.cpuUsPerConnect',
  'gateway.cpuUsPerRefusal',
  'gateway.admissionPerS',
  'gateway.retryAfterS',
  'gateway.backoffBaseS',
  'gateway.backoffMaxS',
  'gateway.restartS',
  'ingest.batchRows',
  'ingest.batchMs',
  'pg.txCpuUs',
  'pg.rowUs',
  'pg.txPerConnect',
  'pg.commitFlushMs',
  'pg.walBytesPerRow',
  'notices.ratePerWorker',
  'temporal.eventsPerNotice',
  'temporal.eventsPerShardPerS',
  'temporal.eventsPerCorePerS',
  'temporal.devEventsPerS',
  'temporal.coresPerHistoryNode',
  'temporal.maxShardsPerHistoryNode',
  'temporal.eventsPerCommandBatch',
  'temporal.eventsPerWaveTask',
  'worker.wftSlots',
  'worker.activitySlots',
  'worker.wftSlotMs',
  'worker.activitySlotMs',
  'worker.cpuMsPerNotice',
  'worker.cpuMsPerRolloutDevice',
  'device.reportIntervalS',
  'device.lifecycleShare',
  'device.connectNoticeShare',
  'rollout.canary',
  'rollout.wavesBase',
  'rollout.wavesFactor',
  'rollout.wavesMaximum',
  'rollout.maxConcurrency',
  'rollout.timeoutS',
  'rollout.pollS',
  'rollout.bulkBatch',
  'rollout.answerMedianS',
  'rollout.answerSigma',
  'rollout.fleetWavesMaximum',
  'rollout.fleetMaxConcurrency',
  'machine.cores',
] as const;
export type InputKey = (typeof INPUT_KEYS)[number];

const schema = z.object({
  about: z.string().optional(),
  figures: z
    .object(
      Object.fromEntries(INPUT_KEYS.map((k) => [k, figure])) as Record<InputKey, typeof figure>,
    )
    .strict(),
});

export type InputFigures = Record<InputKey, InputFigure>;

/** The figures' values alone, as the model reads them. */
export type Inputs = Record<InputKey, number>;

export const DEFAULT_INPUTS_FILE = new URL('./inputs.json', import.meta.url);

export function loadInputFigures(file: URL | string = DEFAULT_INPUTS_FILE): InputFigures {
  const parsed = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `scale-sim: ${String(file)} is not a valid inputs file:\n${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data.figures as InputFigures;
}

export const valuesOf = (figures: InputFigures): Inputs =>
  Object.fromEntries(INPUT_KEYS.map((k) => [k, figures[k].value])) as Inputs;

export const loadInputs = (file?: URL | string): Inputs => valuesOf(loadInputFigures(file));
