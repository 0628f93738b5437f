// `npm run gateway`: the device gateway (scale out: one per node, behind an L4 load balancer).
import { createDatabase } from '../../db/client';
import { startGateway } from '../../gateway/start-gateway';
import { gatewayConfig, parseConfig } from '../config';
import { createLogger } from '../logger';
import { runProcess } from '../process';

await runProcess(async (onStop) => {
  const config = parseConfig(gatewayConfig, 'gateway');
  const logger = createLogger({
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    name: 'gateway',
  });
  const database = createDatabase(config.DATABASE_URL);
  onStop(database.close);
  const gateway = await startGateway({
    host: config.GATEWAY_HOST,
    port: config.GATEWAY_PORT,
    nodeId: config.GATEWAY_NODE_ID,
    temporalAddress: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    database,
    logger,
    helloTimeoutMs: config.GATEWAY_HELLO_TIMEOUT_MS,
    maxPayloadBytes: config.GATEWAY_MAX_PAYLOAD_BYTES,
    offlineGraceMs: config.DEVICE_OFFLINE_GRACE_MS,
  });
  onStop(gateway.stop);
  return logger;
});
