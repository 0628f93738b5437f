import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_INPUTS_FILE, loadInputFigures, valuesOf } from './inputs';
import { scaleMarkdown, writeIntoScaling } from './report';
import { simulateScale } from './simulate-scale';
import { readMeasured } from './validate';

const whole = (v: string) => {
  const x = Number(v.replaceAll('_', ''));
  if (!Number.isInteger(x) || x < 1) throw new InvalidArgumentError('a whole number ≥ 1');
  return x;
};

const program = new Command('simulate:scale')
  .description(
    'A seeded discrete-event simulation of a device fleet on Doppel (bench/scale-sim): sizing, reconnect storm, rollout',
  )
  .option('--devices <n>', 'devices in the fleet', whole, 1_000_000)
  .option('--seed <n>', 'random seed (same seed, same output)', whole, 1)
  .option('--inputs <file>', 'measured costs (JSON)', DEFAULT_INPUTS_FILE.pathname)
  .option('--validate', 'also run the model at 10,000 and 100,000 devices against bench/results')
  .option('--quick', 'shorter steady runs, fewer scenarios: a smoke test')
  .option('--write', 'write the tables into docs/scaling.md between the scale-sim markers')
  .parse();

const opts = program.opts<{
  devices: number;
  seed: number;
  inputs: string;
  validate?: boolean;
  quick?: boolean;
  write?: boolean;
}>();
const figures = loadInputFigures(opts.inputs);
const started = Date.now();
const result = simulateScale(valuesOf(figures), {
  devices: opts.devices,
  seed: opts.seed,
  quick: !!opts.quick,
  validate: !!opts.validate,
});
const args = process.argv.slice(2).filter((a) => a !== '--write');
const markdown = scaleMarkdown(result, figures, readMeasured(), {
  command: `npm run simulate:scale${args.length ? ` -- ${args.join(' ')}` : ''}`,
  date: new Date().toISOString().slice(0, 10),
  seconds: (Date.now() - started) / 1000,
});
console.log(markdown);
if (opts.write) {
  writeIntoScaling(markdown);
  console.error('written into docs/scaling.md');
}
