import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '@app/config';

// No container engine runs here: docker-compose.yml and the Dockerfile are checked by reading them.
const ROOT = join(__dirname, '..');

interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

function compose(): { services: Record<string, ComposeService> } {
  return parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };
}

/** Compose's `${NAME:-default}` and `${NAME:?message}` with nothing set: the default, or a placeholder for required ones. */
function interpolate(value: string): string {
  return value.replace(
    /\$\{([A-Z_]+)(?::-([^}]*)|:\?[^}]*)?\}/g,
    (_, name: string, fallback?: string) => fallback ?? `https://example.test/${name.toLowerCase()}`,
  );
}

describe('docker-compose.yml', () => {
  it('runs PostgreSQL 18 and the service built from the Dockerfile, once PostgreSQL is healthy', () => {
    const { services } = compose();
    expect(services.postgres.image).toBe('postgres:18');
    expect(services.postgres.healthcheck?.test).toEqual(expect.arrayContaining(['pg_isready']));
    expect(services['auth-factors'].build).toBe('.');
    expect(services['auth-factors'].depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it('gives the service an environment its production configuration accepts, pointing at the postgres service', () => {
    const service = compose().services['auth-factors'];
    const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([name, value]) => [name, interpolate(String(value))]));
    // The image sets NODE_ENV=production and PORT=8080.
    const config = loadConfig({ ...env, NODE_ENV: 'production', PORT: '8080' });
    expect(config.production).toBe(true);
    expect(new URL(config.databaseUrl!).host).toBe('postgres:5432');
  });

  it('publishes the HTTP and gRPC ports and checks health on /readyz', () => {
    const service = compose().services['auth-factors'];
    expect(service.ports?.map((p) => p.split('#')[0].trim())).toEqual(['8080:8080', '8081:8081']);
    expect(service.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:8080/readyz');
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const instructions = dockerfile.split('\n').filter((line) => line.trim() && !line.trim().startsWith('#'));

  it('builds on Node 24 in two stages and runs the compiled service as a non-root user', () => {
    expect(instructions.filter((line) => line.startsWith('FROM ')).map((line) => line.split(' ')[1])).toEqual([
      'node:24-bookworm-slim',
      'node:24-bookworm-slim',
    ]);
    expect(instructions).toContain('USER node');
    expect(instructions.find((line) => line.startsWith('CMD '))).toBe('CMD ["node", "dist/src/main.js"]');
    expect(instructions.some((line) => line.includes('npm ci --omit=dev'))).toBe(true);
  });

  it('copies only files that exist, and the build writes the entry point it starts', () => {
    const sources = instructions.filter((line) => line.startsWith('COPY ') && !line.includes('--from=')).flatMap((line) => line.split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
    const nestCli = JSON.parse(readFileSync(join(ROOT, 'nest-cli.json'), 'utf8')) as { entryFile: string };
    expect(`dist/${nestCli.entryFile}.js`).toBe('dist/src/main.js');
  });

  it('exposes the ports the configuration defaults to', () => {
    const config = loadConfig({});
    expect(instructions).toContain(`EXPOSE ${config.port} ${config.grpcPort}`);
  });
});
