import { mkdtempSync } from 'node:fs';
import { connect as http2Connect, ClientHttp2Session } from 'node:http2';
import { connect as tcpConnect, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/free-port';
import { ServiceProcess } from './support/service-process';
import { startTestApp, TestApp } from './support/test-app';
import { createTestDatabase } from './support/test-postgres';

const ERROR_DETAIL_TYPE = 'type.googleapis.com/zitadel.v1.ErrorDetail';
const REQUEST_TIMEOUT_MS = 2000;

/** A log destination that keeps every line. */
class CapturedLogs {
  readonly raw: string[] = [];
  write(line: string): void {
    this.raw.push(line);
  }
  get lines(): Record<string, any>[] {
    return this.raw.flatMap((chunk) => chunk.split('\n').filter(Boolean)).map((line) => JSON.parse(line) as Record<string, any>);
  }
}

interface RawAnswer {
  readonly status: number;
  readonly headers: string;
  readonly body: any;
  /** Milliseconds from the first byte sent to the connection's close (undefined: still open when we gave up). */
  readonly closedAfterMs?: number;
}

/**
 * Writes `chunks` to a fresh TCP connection to `url`'s port and reads until the server closes it or `waitMs`
 * pass: what a client that never finishes its request sees.
 */
function rawExchange(url: string, chunks: (string | Buffer)[], waitMs: number): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket: Socket = tcpConnect(Number(port), hostname);
    const received: Buffer[] = [];
    const startedAt = Date.now();
    let closedAfterMs: number | undefined;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(received).toString('latin1');
      const [head, ...rest] = text.split('\r\n\r\n');
      const body = rest.join('\r\n\r\n');
      let parsed: unknown = body;
      try {
        parsed = JSON.parse(body);
      } catch {
        // not JSON
      }
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body: parsed, closedAfterMs });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('close', () => {
      closedAfterMs = Date.now() - startedAt;
      finish();
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
    socket.once('error', reject);
  });
}

function expectErrorBody(body: any, code: number, id: string): void {
  expect(body).toEqual({ code, message: expect.stringContaining(`(${id})`), details: [{ '@type': ERROR_DETAIL_TYPE, id, message: expect.any(String) }] });
}

/** An h2c session to the gRPC port, with the settings the server sent. */
async function h2cSession(t: TestApp): Promise<{ session: ClientHttp2Session; maxConcurrentStreams: number | undefined }> {
  const session = http2Connect(t.grpcUrl);
  const settings = await new Promise<{ maxConcurrentStreams?: number }>((resolve, reject) => {
    session.once('remoteSettings', resolve);
    session.once('error', reject);
  });
  return { session, maxConcurrentStreams: settings.maxConcurrentStreams };
}

/** One HTTP/2 request on the gRPC port; resolves with status, headers and the parsed body. */
function h2Request(session: ClientHttp2Session, headers: Record<string, string>, body?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers);
    const chunks: Buffer[] = [];
    let status = 0;
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON
      }
      resolve({ status, body: parsed });
    });
    stream.on('error', reject);
    stream.end(body);
  });
}

describe('connection limits and answers of both ports', () => {
  let t: TestApp;
  const logs = new CapturedLogs();

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'info', HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) }, { logDestination: logs });
  });
  afterAll(() => t.close());

  it('the gRPC port allows 100 concurrent streams per connection, not 2^32 - 1', async () => {
    const { session, maxConcurrentStreams } = await h2cSession(t);
    session.close();
    expect(maxConcurrentStreams).toBe(100);
  });

  it('the gRPC port answers an unknown route and an unsupported content type in our error body, logs each call and counts it', async () => {
    const { session } = await h2cSession(t);
    try {
      const missing = await h2Request(session, { ':method': 'GET', ':path': '/no/such/route' });
      expect(missing.status).toBe(404);
      expectErrorBody(missing.body, 5, 'AUTHF-ROUTE-404');
      const wrongType = await h2Request(
        session,
        { ':method': 'POST', ':path': '/zitadel.user.v2.UserService/GetUserByID', 'content-type': 'text/plain', 'x-request-id': 'grpc-port-call' },
        'hello',
      );
      expect(wrongType.status).toBe(400);
      expectErrorBody(wrongType.body, 3, 'AUTHF-REQ-TYPE');
    } finally {
      session.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = logs.lines.find((l) => l.reqId === 'grpc-port-call' && l.msg === 'request completed');
    expect(line).toMatchObject({ method: 'POST', route: '/zitadel.user.v2.UserService/GetUserByID' });
    const metrics = (await t.request('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/auth_factors_http_requests_total\{[^}]*route="\/no\/such\/route"|auth_factors_http_requests_total\{[^}]*route="unmatched"/);
    expect(metrics).toContain('route="/zitadel.user.v2.UserService/GetUserByID"');
  });

  it('answers an RPC of an unsupported content type in our error body on the main port too', async () => {
    const response = await fetch(`${t.url}/zitadel.user.v2.UserService/GetUserByID`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(response.status).toBe(400);
    expectErrorBody(await response.json(), 3, 'AUTHF-REQ-TYPE');
  });

  it('answers oversized headers with 431 in our error body, on the main port', async () => {
    const answer = await rawExchange(t.url, [`GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`], 3000);
    expect(answer.status).toBe(431);
    expectErrorBody(answer.body, 3, 'AUTHF-REQ-HEADERS');
  });

  it('answers a body sent too slowly with 408 in our error body and closes the connection within the request timeout', async () => {
    const answer = await rawExchange(
      t.url,
      [
        `POST /v2/organizations HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\nauthorization: Bearer ${t.adminToken}\r\n\r\n{"na`,
      ],
      REQUEST_TIMEOUT_MS * 4,
    );
    expect(answer.status).toBe(408);
    expectErrorBody(answer.body, 4, 'AUTHF-REQ-TIMEOUT');
    expect(answer.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 1500);
  });

  it('closes the connection of a gRPC-web request refused as too large instead of waiting for the rest of its body', async () => {
    // A gRPC-web frame announcing 2 MB (over the 1 MB limit), of which only the start is sent.
    const frame = Buffer.alloc(5 + 64 * 1024);
    frame.writeUInt32BE(2 * 1024 * 1024, 1);
    const answer = await rawExchange(
      t.url,
      [
        `POST /zitadel.user.v2.UserService/AddHumanUser HTTP/1.1\r\nhost: x\r\ncontent-type: application/grpc-web+proto\r\ncontent-length: ${5 + 2 * 1024 * 1024}\r\n` +
          `authorization: Bearer ${t.adminToken}\r\n\r\n`,
        frame,
      ],
      10_000,
    );
    expect(answer.status).toBe(200); // gRPC-web sends its error in the trailers of a 200
    expect(answer.closedAfterMs).toBeLessThan(2000);
  });
});

describe('shutdown with stuck clients', () => {
  let service: ServiceProcess | undefined;
  afterEach(async () => {
    await service?.stop('SIGKILL');
    service = undefined;
  });

  it('exits within 10 s of SIGTERM while clients hold a half-sent body on the main port and 50 half-sent streams on the gRPC port', async () => {
    const grpcPort = await freePort();
    service = await ServiceProcess.start({
      databaseUrl: await createTestDatabase(),
      dataDir: mkdtempSync(join(tmpdir(), 'auth-factors-stuck-')),
      env: { GRPC_PORT: String(grpcPort) },
    });
    const slow = rawExchange(
      service.url,
      ['POST /v2/organizations HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{'],
      30_000,
    );
    const session = http2Connect(`http://127.0.0.1:${grpcPort}`);
    session.on('error', () => undefined);
    for (let i = 0; i < 50; i++) {
      const stream = session.request({ ':method': 'POST', ':path': '/zitadel.user.v2.UserService/GetUserByID', 'content-type': 'application/grpc' });
      stream.on('error', () => undefined);
      stream.write(Buffer.from([0, 0, 0, 0, 100])); // a frame of 100 bytes announced, none sent
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const signalled = Date.now();
    expect(await service.stop('SIGTERM', 20_000)).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(10_000);
    session.destroy();
    await slow;
  }, 60_000);
});
