// `npx tsx bench/connections-cli.ts [--quick] [--storm-only] [--profile=<dir>]`: memory per
// idle connection and the reconnect storm alone (--profile writes the storm gateway's CPU profile).
import { connectionBench } from './connections';

const profile = process.argv.find((a) => a.startsWith('--profile='))?.slice('--profile='.length);
console.log(
  await connectionBench({
    quick: process.argv.includes('--quick'),
    stormOnly: process.argv.includes('--storm-only'),
    ...(profile ? { profileDir: profile } : {}),
    progress: (line) => console.log(line),
  }),
);
