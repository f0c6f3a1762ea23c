import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface Receipt {
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  readonly body: any;
  readonly attempt: number;
  readonly answeredWith: number;
}

/** One request as it arrived, before `respond` decided the answer (which may never come). */
export interface Arrival {
  readonly body: any;
  readonly attempt: number;
  readonly receivedAt: Date;
}

/** A real HTTP webhook receiver (node:http) that records every request and answers as `respond` decides. */
export class WebhookReceiver {
  readonly receipts: Receipt[] = [];
  /** Every request, answered or not: one held open by `respond` (or whose sender died) is here, not in `receipts`. */
  readonly arrivals: Arrival[] = [];
  private server?: Server;
  url = '';

  /** `respond`: the status to answer with (and optionally a delay), from the event id and how often it was seen. */
  constructor(private respond: (body: any, seen: number) => number | Promise<number> = () => 200) {}

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const body = JSON.parse(rawBody);
        const seen = this.receipts.filter((r) => r.body.id === body.id).length + 1;
        this.arrivals.push({ body, attempt: Number(request.headers['x-authfactors-attempt']), receivedAt: new Date() });
        void Promise.resolve(this.respond(body, seen)).then((status) => {
          this.receipts.push({ headers: request.headers, rawBody, body, attempt: Number(request.headers['x-authfactors-attempt']), answeredWith: status });
          response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  of(eventId: string): Receipt[] {
    return this.receipts.filter((r) => r.body.id === eventId);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** Polls `probe` until it returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
