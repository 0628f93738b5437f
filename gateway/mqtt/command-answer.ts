import type { IPublishPacket } from 'mqtt-packet';
import { z } from 'zod';
import type { CommandAnswer } from './command-topic';

/** The payload a device publishes to its command-results topic (docs/mqtt.md). */
const answerPayload = z.strictObject({
  /** The command's id; MQTT 5 may send it as Correlation Data instead. */
  id: z.string().min(1).max(256).optional(),
  status: z.enum(['accepted', 'rejected', 'failed']),
  result: z.record(z.string(), z.json()).optional(),
});

/** The answer in a command-results publish, or null when it has not the documented form. */
export function readCommandAnswer(packet: IPublishPacket): CommandAnswer | null {
  let json: unknown;
  try {
    json = JSON.parse(packet.payload.toString());
  } catch {
    return null;
  }
  const parsed = answerPayload.safeParse(json);
  if (!parsed.success) return null;
  // MQTT 5 request/response: the Correlation Data of the command comes back unchanged.
  const correlation = packet.properties?.correlationData?.toString();
  const id = correlation || parsed.data.id;
  if (!id) return null;
  return { id, status: parsed.data.status, result: parsed.data.result ?? null };
}
