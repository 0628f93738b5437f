// `npx tsx bench/ingest-cli.ts [--quick] [--profile=dev|cluster]`: runs the gateway ingest benchmark alone and prints
// its markdown (bench/run.ts puts the same section into BENCHMARKS.md).
import { ingestBench } from './ingest';
import { benchProfileOf } from './report';

const markdown = await ingestBench({
  quick: process.argv.includes('--quick'),
  profile: benchProfileOf(process.argv),
  progress: (line) => console.error(line),
});
console.log(markdown);
