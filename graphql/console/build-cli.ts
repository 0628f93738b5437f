// `npm run console:build` (and the postinstall step): builds the operator console if it is
// missing or stale; `--force` builds it anyway.
import { buildConsole, ensureConsole } from './build';

if (process.argv.includes('--force')) await buildConsole();
else await ensureConsole((line) => console.log(`doppel ${line}`));
