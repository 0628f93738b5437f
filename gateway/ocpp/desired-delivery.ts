import type { Logger } from 'pino';
import { accepted, desiredCalls, reportOf } from './desired-calls';
import type { OcppVersion } from './ocpp-version';
import type { OfficialSchemas } from './official-schemas';
import type { ServerCalls } from './server-calls';

/**
 * Carries a twin's desired delta to one station through its server-CALL queue, and reports
 * each value the station took, so the twin's delta closes. A value already on its way is
 * not sent again when the twin pushes the same delta twice.
 */
export class DesiredDelivery {
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly opts: {
      version: OcppVersion;
      calls: ServerCalls;
      schemas: OfficialSchemas;
      logger: Logger;
      /** Tells the twin the station took a value; null once the connection is gone. */
      report(state: Record<string, unknown>): Promise<void> | null;
    },
  ) {}

  push(shadowVersion: number, delta: Record<string, unknown>): void {
    const { version, calls: queue, logger } = this.opts;
    const { calls, skipped } = desiredCalls(version, delta);
    if (skipped.length > 0)
      logger.warn({ skipped }, 'desired keys without a component cannot be set in OCPP 2.0.1');
    for (const call of calls) {
      const id = JSON.stringify([call.path, call.value]);
      if (this.inFlight.has(id)) continue;
      this.inFlight.add(id);
      void queue.call(call.action, call.payload).then(async (outcome) => {
        this.inFlight.delete(id);
        if (!outcome.ok || !this.valid(call.action, outcome.payload)) {
          logger.warn({ shadowVersion, path: call.path, outcome }, 'desired value not delivered');
          return;
        }
        if (!accepted(call.action, outcome.payload)) {
          logger.info(
            { shadowVersion, path: call.path, answer: outcome.payload },
            'desired value refused',
          );
          return;
        }
        await this.opts
          .report(reportOf(call.path, call.value))
          ?.catch((err: unknown) => logger.error({ err }, 'desired value taken but not reported'));
      });
    }
  }

  /** A station's answer that breaks the schema counts as no answer. */
  private valid(action: string, payload: Record<string, unknown>): boolean {
    try {
      this.opts.schemas.check(action, 'response', payload);
      return true;
    } catch (error) {
      this.opts.logger.warn({ err: error, action }, 'station answer breaks the OCPP schema');
      return false;
    }
  }
}
