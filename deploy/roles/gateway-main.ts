// The body of deploy/roles/gateway.ts (its entry point checks the Node version first).
import path from 'node:path';
import { FsFileStore } from '../../db/file-store';
import { startGateway } from '../../gateway/start-gateway';
import { gatewayConfig, gatewayOptionsOf } from '../config';
import { runProcess } from '../process';
import { installTemporalLogging } from '../temporal-runtime';
import { bootRole } from './boot-role';

await runProcess(async (onStop) => {
  const { config, logger, database } = await bootRole(gatewayConfig, 'gateway', onStop, {
    migrate: false,
  });
  installTemporalLogging(logger);
  const gateway = await startGateway({
    ...gatewayOptionsOf(config),
    temporalAddress: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    database,
    logger,
    allowedNetworks: config.EGRESS_ALLOWED_NETWORKS,
    files: new FsFileStore(path.resolve(config.DOPPEL_FILES_DIR)),
  });
  onStop(gateway.stop);
  return logger;
});
