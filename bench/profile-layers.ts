// Where a service's CPU profile (node --cpu-prof, e.g. `npm run bench -- --cpu-prof`) spends its time, by layer.
//   npx ts-node --transpile-only bench/profile-layers.ts <file.cpuprofile> [seconds to skip: the start, module loading]
// Self time by package or source folder, then inclusive shares (a sample counts once for each layer on its stack).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const LAYERS: Readonly<Record<string, RegExp>> = {
  'Nest pipeline (@nestjs/core, common, platform-fastify, rxjs)': /node_modules\/(@nestjs\/(core|common|platform-fastify)|rxjs)\//,
  'fastify (+ find-my-way, middie)': /node_modules\/(fastify|find-my-way|@fastify|avvio)\//,
  'passport + @nestjs/passport': /node_modules\/(passport|@nestjs\/passport)\//,
  'JWT verification (jsonwebtoken, jws, jwa)': /node_modules\/(jsonwebtoken|jws|jwa)\//,
  'validation (class-validator, class-transformer)': /node_modules\/(class-validator|class-transformer)\//,
  'logging (pino, pino-http, nestjs-pino)': /node_modules\/(pino|pino-http|nestjs-pino|pino-std-serializers|sonic-boom)\//,
  'metrics (prom-client)': /node_modules\/prom-client\//,
  TypeORM: /node_modules\/typeorm\//,
  'pg driver (pg, pg-protocol, pg-pool; with its socket writes)': /node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-date)\//,
  'Connect/gRPC (@connectrpc, @bufbuild)': /node_modules\/(@connectrpc|@bufbuild|@grpc)\//,
};

function selfLayer(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName === '(garbage collector)' ? 'GC' : functionName.startsWith('(') ? functionName : `native ${functionName}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(url);
  if (pkg && pkg[1] !== '.cache') return pkg[1];
  const source = /\/(src|libs)\/([^/]+)\//.exec(url);
  if (source) return `${source[1]}/${source[2]}`;
  return url.startsWith('node:') ? url.split('/').slice(0, 2).join('/') : url;
}

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, ProfileNode>();
for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n);
const time = new Map<number, number>();
const skipMicros = Number(process.argv[3] ?? 0) * 1e6;
let elapsed = 0;
profile.samples.forEach((id, i) => {
  elapsed += profile.timeDeltas[i] ?? 0;
  if (elapsed >= skipMicros) time.set(id, (time.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let busy = 0;
for (const [id, t] of time) {
  const node = byId.get(id)!;
  if (node.callFrame.functionName === '(idle)') continue;
  busy += t;
  self.set(selfLayer(node), (self.get(selfLayer(node)) ?? 0) + t);
  const seen = new Set<string>();
  for (let q: ProfileNode | undefined = node; q; q = parent.get(q.id)) {
    for (const [layer, pattern] of Object.entries(LAYERS)) if (pattern.test(q.callFrame.url)) seen.add(layer);
  }
  for (const layer of seen) inclusive.set(layer, (inclusive.get(layer) ?? 0) + t);
}
const pct = (t: number) => `${((100 * t) / busy).toFixed(1)}%`.padStart(6);
console.log(`busy ${(busy / 1e6).toFixed(1)} s of CPU\n\nself time, top 15:`);
for (const [layer, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${pct(t)}  ${layer}`);
console.log('\ninclusive (overlapping):');
for (const [layer, t] of [...inclusive].sort((a, b) => b[1] - a[1])) console.log(`${pct(t)}  ${layer}`);
