// `npx tsx bench/rollout-cli.ts [--sizes=1000,10000]`: only the fleet-rollout benchmark (3e),
// printed, for working on rollouts; `npm run bench` puts it into BENCHMARKS.md.
import { rolloutBench } from './rollout';

const sizesArg = process.argv.find((a) => a.startsWith('--sizes='))?.slice('--sizes='.length);
const sizes = sizesArg ? sizesArg.split(',').map(Number) : [1_000];
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
  console.error('--sizes: whole numbers ≥ 1, comma-separated (e.g. --sizes=1000,10000)');
  process.exit(2);
}
console.log(await rolloutBench({ quick: false, sizes, progress: (line) => console.log(line) }));
process.exit(0);
