// `npx tsx bench/ingest-cli.ts [--quick]`: runs the gateway ingest benchmark alone and prints
// its markdown (bench/run.ts puts the same section into BENCHMARKS.md).
import { ingestBench } from './ingest';

const markdown = await ingestBench({
  quick: process.argv.includes('--quick'),
  progress: (line) => console.error(line),
});
console.log(markdown);
