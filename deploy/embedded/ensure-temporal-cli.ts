// Builds (or finds) the Temporal CLI ahead of `npm start` and the tests: used by .ci/run.
import { resolveTemporalCli } from './temporal-cli';

const bin = await resolveTemporalCli((line) => console.log(line));
console.log(`Temporal CLI: ${bin}`);
