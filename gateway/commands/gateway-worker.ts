import { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Database } from '../../db/client';
import type { GatewayActivities } from '../../workflows/device-twin/gateway-activities';
import type { BatchDeliveryActivities } from '../../workflows/rollout/batch-delivery';
import { gatewayTaskQueue } from '../../workflows/task-queues';
import type { DeviceLinks } from '../device-links';
import { AnswerRecorder } from './answer-recorder';
import { deliverCommandBatch } from './command-batch';

/**
 * The activity worker of one gateway process: twins reach the connections this process holds
 * through its own task queue, `gateway.<nodeId>`.
 */
export async function startGatewayWorker(options: {
  temporalAddress: string;
  namespace: string;
  nodeId: string;
  links: DeviceLinks;
  logger: Logger;
  /** Where devices' answers to fleet operations' commands are recorded. */
  database: Database;
}): Promise<{ stop(): Promise<void> }> {
  const answers = new AnswerRecorder(options.database, options.logger);
  const handed = new Set<string>();
  const activities: GatewayActivities & BatchDeliveryActivities = {
    deliverCommandBatch: (batch) =>
      deliverCommandBatch(batch, { links: options.links, answers, handed, logger: options.logger }),
    async ping() {},
    async closeDeviceSession({ sessionId, code, reason }) {
      if (!options.links.control(sessionId)) return false;
      options.logger.info(
        { session: sessionId, reason },
        'closing device connection on request of its twin',
      );
      return options.links.closeSession(sessionId, code, reason);
    },
    async deliverCommand({ sessionId, name, params, timeoutMs, commandId, expiresAt }) {
      const session = options.links.control(sessionId);
      if (!session) return { delivered: false };
      if (!session.command) {
        return {
          delivered: true,
          outcome: { status: 'rejected', result: { reason: 'this protocol carries no commands' } },
        };
      }
      const outcome = await session.command(name, params, timeoutMs, { id: commandId, expiresAt });
      return outcome ? { delivered: true, outcome } : { delivered: false };
    },
    async pushDesired({ sessionId, shadowVersion, delta }) {
      const session = options.links.control(sessionId);
      if (!session) return false;
      session.pushDesired(shadowVersion, delta);
      return true;
    },
  };
  const connection = await NativeConnection.connect({ address: options.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: gatewayTaskQueue(options.nodeId),
    activities,
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await answers.close();
    },
  };
}
