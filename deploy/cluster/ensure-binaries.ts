// Builds (or finds) the cluster profile's Temporal server, SQL tool and UI server: used by .ci/run.
import { resolveClusterBinaries } from './binaries';

const bins = await resolveClusterBinaries((line) => console.log(line));
for (const [name, file] of Object.entries(bins)) console.log(`${name}: ${file}`);
