// The body of deploy/roles/temporal-namespace.ts (its entry point checks the Node version first).
import { ensureNamespace } from '../cluster/namespace';
import { parseConfig, temporalNamespaceConfig } from '../config';

const config = parseConfig(temporalNamespaceConfig, 'Temporal namespace setup');
await ensureNamespace(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
console.log(`namespace ${config.TEMPORAL_NAMESPACE} ready on ${config.TEMPORAL_ADDRESS}`);
