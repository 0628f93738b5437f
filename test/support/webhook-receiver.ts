import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { HTTP, type CloudEvent } from 'cloudevents';

/** One POST as the partner's endpoint saw it. */
export interface ReceivedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Parsed as a CloudEvents receiver parses it (the SDK's HTTP binding). */
  readonly event: CloudEvent<any>;
  /** The status answered; null while held (never answered, for a crash mid-delivery). */
  status: number | null;
}

/** What the partner answers: a status, or 'hold' to never answer. */
export type Answer = (event: CloudEvent<any>, request: ReceivedRequest) => number | 'hold';

/**
 * A partner's webhook endpoint: a real HTTP server on a free loopback port that records every
 * request and answers as `answer` says (200 unless told).
 */
export async function startWebhookReceiver(answer: Answer = () => 200) {
  const requests: ReceivedRequest[] = [];
  const held = new Set<ServerResponse>();
  const receiver = {
    answer,
    requests,
    /** Events answered with a 2xx, in the order they were accepted. */
    accepted: () => requests.filter((r) => r.status !== null && r.status < 300).map((r) => r.event),
    url: '',
    async stop() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const event = HTTP.toEvent({ headers: req.headers, body }) as CloudEvent<any>;
      const request: ReceivedRequest = { headers: req.headers, body, event, status: null };
      requests.push(request);
      const status = receiver.answer(event, request);
      if (status === 'hold') {
        held.add(res);
        return;
      }
      request.status = status;
      res.writeHead(status).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/doppel-events`;
  return receiver;
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
