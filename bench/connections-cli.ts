// `npx tsx bench/connections-cli.ts [--quick] [--devices=N] [--profile=dev|cluster]`: idle
// connections over several gateways and the reconnect storm alone, on the dev server's or the
// cluster profile's backends.
import { connectionBench } from './connections';
import { benchProfileOf } from './report';

const devices = process.argv.find((a) => a.startsWith('--devices='))?.slice('--devices='.length);
console.log(
  await connectionBench({
    quick: process.argv.includes('--quick'),
    backends: benchProfileOf(process.argv),
    ...(devices ? { devices: Number(devices) } : {}),
    progress: (line) => console.log(line),
  }),
);
