// `npx tsx bench/twin-vs-temporal-cli.ts [--quick] [--profile=dev|cluster]`: the twin-vs-raw-Temporal section alone.
import { benchProfileOf } from './report';
import { twinVsTemporal } from './twin-vs-temporal';

console.log(
  await twinVsTemporal({
    quick: process.argv.includes('--quick'),
    profile: benchProfileOf(process.argv),
    progress: (line) => console.log(line),
  }),
);
