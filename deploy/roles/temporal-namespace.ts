// `npm run temporal:namespace`: registers the namespace and Doppel's search attributes on a
// Temporal cluster that lacks them (a real server creates neither); safe to run on every
// deploy (the compose file's and the Helm chart's one-shot step, docs/deploy.md).
import '../runtime/require-supported-node';
import { ensureNamespace } from '../cluster/namespace';
import { parseConfig, temporalNamespaceConfig } from '../config';

const config = parseConfig(temporalNamespaceConfig, 'Temporal namespace setup');
await ensureNamespace(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
console.log(`namespace ${config.TEMPORAL_NAMESPACE} ready on ${config.TEMPORAL_ADDRESS}`);
