import type { LoadResult, Scenario } from './load';

/** `floor`: the one-statement floor the targets are measured against; `floor-stepwise`: the same work as a transaction of separate statements. */
export type Implementation = 'service' | 'floor' | 'floor-stepwise';

export interface Measurement {
  readonly scenario: Scenario['id'];
  readonly connections: number;
  readonly implementation: Implementation;
  readonly load: LoadResult;
  readonly rss: { readonly peakMb: number; readonly meanMb: number };
  /** CPU time per request answered (ms): the implementation's Node process, and all of PostgreSQL's processes (background work included). */
  readonly cpu?: { readonly processMs: number; readonly postgresMs: number };
  /** Statements PostgreSQL ran in the implementation's database during the load (background work included), per request. */
  /** The service's own view of its memory after the load (MiB): RSS, V8 heap (total, used, new/old/code spaces), external. */
  readonly memory?: Readonly<Record<string, number>>;
  readonly statements?: {
    readonly perRequest: number;
    readonly total: number;
    readonly top: readonly { readonly query: string; readonly calls: number; readonly meanExecMs?: number }[];
  };
}

export interface ScaleRow {
  readonly label: string;
  readonly users: number;
  readonly events: number;
  readonly load: LoadResult;
}

export interface StartupRow {
  readonly label: string;
  readonly readyMs: number;
}

export interface BenchResults {
  readonly meta: Record<string, string | number>;
  readonly scenarios: readonly { readonly id: Scenario['id']; readonly title: string }[];
  readonly measurements: readonly Measurement[];
  readonly scale?: { readonly connections: number; readonly removal: readonly ScaleRow[]; readonly startup: readonly StartupRow[] };
  /** Written by hand (bench/results/notes.md): the profile, where the time goes, the targets not met and why. */
  readonly notes?: string;
}

// Issue 19's targets: throughput at 32 and 128 connections, p99 at 8, peak RSS at 128, statements per command (BEGIN/COMMIT included).
const TARGETS = {
  throughputRatio: 0.75,
  throughputConnections: [32, 128],
  p99RatioAt8: 1.5,
  rssMb: 200,
  rssConnections: 128,
  statementsPerRequest: 4,
  scaleTolerance: 0.1,
  readyExistingMs: 2000,
};

const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const ratio = (a: number, b: number) => (b === 0 ? NaN : a / b);

function find(results: BenchResults, scenario: string, implementation: Implementation, connections: number): Measurement | undefined {
  return results.measurements.find((m) => m.scenario === scenario && m.implementation === implementation && m.connections === connections);
}

const failures = (load: LoadResult) => load.errors + load.non2xx;

/** The markdown report: one table per scenario, then the targets, then the scale checks. */
/**
 * The scale target asks that more data cost no more than 10 % of throughput. A row faster than the first by more
 * than that is not a cost of size but the run-to-run spread of short runs on a shared machine: said so, not hidden.
 */
function scaleVerdict(ratio: number): string {
  if (ratio < 1 - TARGETS.scaleTolerance) return 'NO: slower by more than 10%';
  return ratio > 1 + TARGETS.scaleTolerance ? 'yes (faster than the first row: run-to-run spread)' : 'yes';
}

export function toMarkdown(results: BenchResults): string {
  const lines: string[] = ['# auth-factors benchmark', ''];
  lines.push(
    Object.entries(results.meta)
      .map(([k, v]) => `- ${k}: ${v}`)
      .join('\n'),
    '',
  );
  for (const scenario of results.scenarios) {
    lines.push(`## ${scenario.title}`, '');
    lines.push(
      '| conns | impl | req/s | p50 ms | p99 ms | max ms | errors / non-2xx | RSS peak MB | SQL stmts / req | req/s ratio | p99 ratio |',
      '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    const levels = [...new Set(results.measurements.filter((m) => m.scenario === scenario.id).map((m) => m.connections))];
    for (const connections of levels) {
      const service = find(results, scenario.id, 'service', connections);
      const floor = find(results, scenario.id, 'floor', connections);
      for (const m of [service, floor, find(results, scenario.id, 'floor-stepwise', connections)]) {
        if (!m) continue;
        const isService = m.implementation === 'service';
        lines.push(
          `| ${connections} | ${m.implementation} | ${m.load.requestsPerSecond} | ${fmt(m.load.p50Ms)} | ${fmt(m.load.p99Ms)} | ${fmt(m.load.maxMs)} | ${m.load.errors} / ${m.load.non2xx} | ${fmt(m.rss.peakMb)} | ${fmt(m.statements?.perRequest ?? NaN, 2)} | ${
            isService && floor ? fmt(ratio(m.load.requestsPerSecond, floor.load.requestsPerSecond), 2) : ''
          } | ${isService && floor ? fmt(ratio(m.load.p99Ms, floor.load.p99Ms), 2) : ''} |`,
        );
      }
    }
    lines.push('');
  }
  lines.push('## Targets', '', '| target | scenario | measured | met |', '|---|---|---|---|');
  for (const scenario of results.scenarios) {
    for (const connections of TARGETS.throughputConnections) {
      const service = find(results, scenario.id, 'service', connections);
      const floor = find(results, scenario.id, 'floor', connections);
      if (!service || !floor) continue;
      const r = ratio(service.load.requestsPerSecond, floor.load.requestsPerSecond);
      lines.push(
        `| throughput @${connections} ≥ ${TARGETS.throughputRatio * 100}% of floor | ${scenario.id} | ${fmt(r * 100, 0)}% | ${r >= TARGETS.throughputRatio ? 'yes' : 'NO'} |`,
      );
    }
    const s8 = find(results, scenario.id, 'service', 8);
    const f8 = find(results, scenario.id, 'floor', 8);
    if (s8 && f8) {
      const r = ratio(s8.load.p99Ms, f8.load.p99Ms);
      lines.push(`| p99 @8 ≤ ${TARGETS.p99RatioAt8}× floor | ${scenario.id} | ${fmt(r, 2)}× | ${r <= TARGETS.p99RatioAt8 ? 'yes' : 'NO'} |`);
    }
    const services = results.measurements.filter((m) => m.scenario === scenario.id && m.implementation === 'service');
    const atRssLevel = find(results, scenario.id, 'service', TARGETS.rssConnections);
    if (atRssLevel) {
      const peak = atRssLevel.rss.peakMb;
      lines.push(
        `| service RSS peak @${TARGETS.rssConnections} ≤ ${TARGETS.rssMb} MB | ${scenario.id} | ${fmt(peak)} MB | ${peak <= TARGETS.rssMb ? 'yes' : 'NO'} |`,
      );
    }
    const counted = services.filter((m) => Number.isFinite(m.statements?.perRequest ?? NaN));
    if (counted.length > 0) {
      const worst = Math.max(...counted.map((m) => m.statements!.perRequest));
      lines.push(
        `| ≤ ${TARGETS.statementsPerRequest} statements / command (pg_stat_statements, BEGIN/COMMIT and the outbox included; worst level) | ${scenario.id} | ${fmt(worst, 2)} | ${worst <= TARGETS.statementsPerRequest ? 'yes' : 'NO'} |`,
      );
    }
    const errors = services.reduce((sum, m) => sum + failures(m.load), 0);
    lines.push(`| no errors | ${scenario.id} | ${errors} | ${errors === 0 ? 'yes' : 'NO'} |`);
  }
  if (results.scale) {
    const base = results.scale.removal[0]?.load.requestsPerSecond ?? 0;
    for (const row of results.scale.removal.slice(1)) {
      const r = ratio(row.load.requestsPerSecond, base);
      lines.push(`| removal throughput within 10% of ${results.scale.removal[0].label} | ${row.label} | ${fmt(r * 100, 0)}% | ${scaleVerdict(r)} |`);
    }
    const existing = results.scale.startup.filter((row) => row.label.startsWith('existing'));
    if (existing.length > 0) {
      const worst = Math.max(...existing.map((row) => row.readyMs));
      lines.push(
        `| ready ≤ ${TARGETS.readyExistingMs / 1000} s, existing data folder | startup (worst of ${existing.length}) | ${fmt(worst, 0)} ms | ${worst <= TARGETS.readyExistingMs ? 'yes' : 'NO'} |`,
      );
    }
  }
  lines.push('');
  lines.push(...cpuSection(results), ...statementSection(results), ...memorySection(results));
  if (results.notes) lines.push(results.notes.trimEnd(), '');
  if (results.scale) {
    const { removal, startup, connections } = results.scale;
    lines.push(`## Scale: add + remove OTP SMS (v1) at ${connections} connections`, '');
    lines.push('| data | users | events | req/s | p50 ms | p99 ms | errors / non-2xx | vs first row |', '|---|---:|---:|---:|---:|---:|---:|---:|');
    const base = removal[0]?.load.requestsPerSecond ?? 0;
    for (const row of removal) {
      const r = ratio(row.load.requestsPerSecond, base);
      lines.push(
        `| ${row.label} | ${row.users} | ${row.events} | ${row.load.requestsPerSecond} | ${fmt(row.load.p50Ms)} | ${fmt(row.load.p99Ms)} | ${row.load.errors} / ${row.load.non2xx} | ${fmt(r * 100, 0)}%: ${scaleVerdict(r)} |`,
      );
    }
    lines.push('', '## Startup: time until the port answers', '', '| data folder | ready ms |', '|---|---:|');
    for (const row of startup) lines.push(`| ${row.label} | ${fmt(row.readyMs, 0)} |`);
    lines.push('');
  }
  return lines.join('\n');
}

/** Where the two cores go: CPU time per request of each implementation's Node process and of PostgreSQL. */
function cpuSection(results: BenchResults): string[] {
  const measured = results.measurements.filter((m) => m.cpu);
  if (measured.length === 0) return [];
  const lines = [
    '## CPU time per request (ms, from /proc: user + system, 10 ms ticks)',
    '',
    "The implementation's Node process, and every PostgreSQL process (the service's outbox included) from the start of the load",
    'until its background work is done, divided by the requests answered. The load generator runs in the bench process, apart.',
    '',
    '| scenario | conns | impl | Node ms / req | PostgreSQL ms / req |',
    '|---|---:|---|---:|---:|',
  ];
  for (const m of measured) {
    lines.push(`| ${m.scenario} | ${m.connections} | ${m.implementation} | ${fmt(m.cpu!.processMs, 2)} | ${fmt(m.cpu!.postgresMs, 2)} |`);
  }
  lines.push('');
  return lines;
}

/** Round trips: what each implementation ran in PostgreSQL per request at 32 connections (or the highest level measured). */
function statementSection(results: BenchResults): string[] {
  const measured = results.measurements.filter((m) => m.statements);
  if (measured.length === 0) return [];
  const levels = [...new Set(measured.map((m) => m.connections))];
  const level = levels.includes(32) ? 32 : Math.max(...levels);
  const lines = [
    `## Database statements per request (pg_stat_statements, ${level} connections)`,
    '',
    "Every statement the implementation's database ran during the load (BEGIN/START TRANSACTION and COMMIT included), divided by",
    "the requests answered; background work (the service's outbox dispatcher) counts too, as it is load the requests cause.",
    'Mean exec ms: the time PostgreSQL spent executing one call (pg_stat_statements total_exec_time / calls; lock waits included).',
    '',
  ];
  for (const scenario of results.scenarios) {
    for (const implementation of ['service', 'floor', 'floor-stepwise'] as const) {
      const m = find(results, scenario.id, implementation, level);
      if (!m?.statements) continue;
      lines.push(
        `**${scenario.id}, ${implementation}: ${fmt(m.statements.perRequest, 2)} statements / request**`,
        '',
        '| per request | mean exec ms | statement |',
        '|---:|---:|---|',
      );
      for (const row of m.statements.top) {
        const share = row.calls / m.load.requests;
        if (share < 0.02) continue;
        lines.push(`| ${fmt(share, 2)} | ${fmt(row.meanExecMs ?? NaN, 3)} | \`${row.query.replace(/\|/g, '\\|').slice(0, 140)}\` |`);
      }
      lines.push('');
    }
  }
  return lines;
}

/** The service's own memory figures after each load (MiB, from its /metrics): where the RSS is. */
function memorySection(results: BenchResults): string[] {
  const measured = results.measurements.filter((m) => m.implementation === 'service' && m.memory);
  if (measured.length === 0) return [];
  const lines = [
    '## Service memory after each load (MiB, its own /metrics)',
    '',
    '| scenario | conns | RSS peak (sampled) | RSS now | V8 heap total | heap used | new space | old space | code space | external |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const m of measured) {
    const v = m.memory!;
    lines.push(
      `| ${m.scenario} | ${m.connections} | ${fmt(m.rss.peakMb)} | ${fmt(v.rss)} | ${fmt(v.heapTotal)} | ${fmt(v.heapUsed)} | ${fmt(v.newSpace)} | ${fmt(v.oldSpace)} | ${fmt(v.codeSpace)} | ${fmt(v.external)} |`,
    );
  }
  lines.push('');
  return lines;
}

const COLORS: Record<string, string> = { 'v1-otp-sms': '#1f77b4', 'v2-otp-email': '#d62728' };

/** Two panels, requests/s and p99 against connections, a line per scenario and implementation (floor dashed). */
export function toSvg(results: BenchResults): string {
  const levels = [...new Set(results.measurements.map((m) => m.connections))].sort((a, b) => a - b);
  const panelW = 420;
  const panelH = 280;
  const margin = { left: 60, top: 40, right: 20, bottom: 50 };
  const width = margin.left + 2 * (panelW + margin.right) + 20;
  const height = margin.top + panelH + margin.bottom + 60;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  const panels: { title: string; value: (m: Measurement) => number; unit: string }[] = [
    { title: 'Throughput (requests/s)', value: (m) => m.load.requestsPerSecond, unit: 'req/s' },
    { title: 'p99 latency (ms)', value: (m) => m.load.p99Ms, unit: 'ms' },
  ];
  panels.forEach((panel, p) => {
    const x0 = margin.left + p * (panelW + margin.right + 40);
    const y0 = margin.top;
    const max = Math.max(1, ...results.measurements.map(panel.value)) * 1.1;
    const x = (i: number) => x0 + (levels.length === 1 ? panelW / 2 : (i * panelW) / (levels.length - 1));
    const y = (v: number) => y0 + panelH - (v / max) * panelH;
    out.push(`<text x="${x0 + panelW / 2}" y="${y0 - 15}" text-anchor="middle" font-size="14" font-weight="bold">${panel.title}</text>`);
    out.push(`<rect x="${x0}" y="${y0}" width="${panelW}" height="${panelH}" fill="none" stroke="#999"/>`);
    for (let t = 0; t <= 4; t++) {
      const v = (max / 4) * t;
      out.push(`<line x1="${x0}" x2="${x0 + panelW}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`);
      out.push(`<text x="${x0 - 6}" y="${y(v) + 4}" text-anchor="end">${Math.round(v)}</text>`);
    }
    levels.forEach((level, i) => out.push(`<text x="${x(i)}" y="${y0 + panelH + 18}" text-anchor="middle">${level}</text>`));
    out.push(`<text x="${x0 + panelW / 2}" y="${y0 + panelH + 38}" text-anchor="middle">connections</text>`);
    for (const scenario of results.scenarios) {
      for (const implementation of ['service', 'floor'] as const) {
        const points = levels
          .map((level, i) => {
            const m = find(results, scenario.id, implementation, level);
            return m ? `${x(i).toFixed(1)},${y(panel.value(m)).toFixed(1)}` : undefined;
          })
          .filter((point): point is string => point !== undefined);
        const dash = implementation === 'floor' ? ' stroke-dasharray="6 4"' : '';
        out.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${COLORS[scenario.id]}" stroke-width="2"${dash}/>`);
        for (const point of points) {
          const [px, py] = point.split(',');
          out.push(`<circle cx="${px}" cy="${py}" r="3" fill="${COLORS[scenario.id]}"/>`);
        }
      }
    }
  });
  let lx = margin.left;
  const ly = height - 22;
  for (const scenario of results.scenarios) {
    for (const implementation of ['service', 'floor'] as const) {
      const dash = implementation === 'floor' ? ' stroke-dasharray="6 4"' : '';
      out.push(`<line x1="${lx}" x2="${lx + 30}" y1="${ly}" y2="${ly}" stroke="${COLORS[scenario.id]}" stroke-width="2"${dash}/>`);
      const label = `${scenario.id} ${implementation}`;
      out.push(`<text x="${lx + 36}" y="${ly + 4}">${label}</text>`);
      lx += 60 + label.length * 7;
    }
  }
  out.push('</svg>');
  return out.join('\n');
}
