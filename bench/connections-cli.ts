// `npx tsx bench/connections-cli.ts [--quick] [--storm-only] [--profile=dev|cluster]
// [--cpu-profile=<dir>]`: memory per idle connection and the reconnect storm alone, on the dev
// server's or the cluster profile's backends (--cpu-profile writes the storm gateway's CPU profile).
import { connectionBench } from './connections';
import { benchProfileOf } from './report';

const cpuProfile = process.argv
  .find((a) => a.startsWith('--cpu-profile='))
  ?.slice('--cpu-profile='.length);
console.log(
  await connectionBench({
    quick: process.argv.includes('--quick'),
    stormOnly: process.argv.includes('--storm-only'),
    backends: benchProfileOf(process.argv),
    ...(cpuProfile ? { profileDir: cpuProfile } : {}),
    progress: (line) => console.log(line),
  }),
);
