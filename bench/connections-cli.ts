// `npx tsx bench/connections-cli.ts [--quick]`: memory per idle connection and the reconnect storm alone.
import { connectionBench } from './connections';

console.log(
  await connectionBench({
    quick: process.argv.includes('--quick'),
    progress: (line) => console.log(line),
  }),
);
