// `npx tsx bench/rollout-cli.ts [--sizes=1000,10000] [--profile=dev|cluster] [--write]`: only the fleet-rollout
// benchmark (3e); with --write its rows replace theirs in BENCHMARKS.md (others are kept).
import {
  benchProfileOf,
  currentSection,
  replaceSection,
  sectionEnd,
  sectionName,
  sectionStart,
} from './report';
import { rolloutBench } from './rollout';
import { refreshSummary } from './summary';

const sizesArg = process.argv.find((a) => a.startsWith('--sizes='))?.slice('--sizes='.length);
const sizes = sizesArg ? sizesArg.split(',').map(Number) : [1_000];
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
  console.error('--sizes: whole numbers ≥ 1, comma-separated (e.g. --sizes=1000,10000)');
  process.exit(2);
}
const profile = benchProfileOf(process.argv);
const marker = sectionName('rollout', profile);
const text = await rolloutBench({
  quick: false,
  sizes,
  profile,
  previous: currentSection(marker),
  progress: (line) => console.log(line),
});
console.log(text);
if (process.argv.includes('--write')) {
  replaceSection(marker, `${sectionStart(marker)}\n${text}${sectionEnd(marker)}\n`);
  refreshSummary();
  console.log('(BENCHMARKS.md: the rollout section and the side-by-side summary replaced)');
}
process.exit(0);
