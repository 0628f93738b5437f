// `npx tsx bench/twin-vs-temporal-cli.ts [--quick]`: the twin-vs-raw-Temporal section alone.
import { twinVsTemporal } from './twin-vs-temporal';

console.log(
  await twinVsTemporal({
    quick: process.argv.includes('--quick'),
    progress: (line) => console.log(line),
  }),
);
