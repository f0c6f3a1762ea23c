import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** One message the receiver got, as sent: the path, the headers and the body, parsed as JSON or as a form. */
export interface ReceivedSms {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  /** The JSON webhook's `{to, text, reference}`, or the Twilio form's `To`, `From`, `Body`. */
  readonly fields: Record<string, string>;
}

/** A real HTTP receiver (node:http) standing for an SMS provider: a JSON webhook or a Twilio-compatible Messages API. */
export class SmsReceiver {
  readonly messages: ReceivedSms[] = [];
  private server?: Server;
  url = '';

  /** `status`: what the provider answers (Twilio answers 201). */
  constructor(private readonly status = 201) {}

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const fields: Record<string, string> = String(request.headers['content-type']).startsWith('application/json')
          ? (JSON.parse(rawBody) as Record<string, string>)
          : Object.fromEntries(new URLSearchParams(rawBody));
        this.messages.push({ path: request.url ?? '', headers: request.headers, rawBody, fields });
        response.writeHead(this.status, { 'content-type': 'application/json' }).end('{"sid":"SM1","status":"queued"}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The messages sent to `to`, oldest first. */
  to(to: string): ReceivedSms[] {
    return this.messages.filter((m) => (m.fields.to ?? m.fields.To) === to);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** The code in a message's text: the first run of 6 or more upper-case letters and digits. */
export function codeIn(text: string): string {
  const match = /\b([A-Z0-9]{6,32})\b is your/.exec(text);
  if (!match) throw new Error(`no code in ${JSON.stringify(text)}`);
  return match[1];
}
