import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server (smtp-server) that keeps every message it accepts. */
export class MailCatcher {
  readonly mails: { to: string[]; raw: string; text: string }[] = [];
  private server?: SMTPServer;
  url = '';

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          // quoted-printable soft line breaks and escapes (only where the message is so encoded), enough to read the text
          const text = /^Content-Transfer-Encoding: quoted-printable/im.test(raw)
            ? raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
            : raw;
          this.mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, text });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `smtp://127.0.0.1:${(this.server as unknown as { server: { address(): AddressInfo } }).server.address().port}`;
    return this;
  }

  of(eventId: string) {
    return this.mails.filter((m) => new RegExp(`^X-AuthFactors-Event-Id: ${eventId}\\r?$`, 'mi').test(m.raw));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }
}
