/**
 * What REST authentication costs per request, in process: the global guard (passport and its JWT strategy) on a
 * genuine token of the local development key, without the network, the database or the route. The principal
 * validator answers at once, so only the token's verification is measured.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/authentication.measure.ts [--iterations=20000]
 *
 * Prints one JSON line (`AUTHENTICATION {...}`): the median of five rounds, in microseconds of CPU time per request.
 */
import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutionContext, Injectable, Module } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { AuthModuleOptions } from '@nestjs/passport';
import { AuthModule, issueToken, JwtAuthGuard, loadOrCreateSigningKey, PrincipalValidator } from '@app/auth';
import { AppConfig, ConfigModule, loadConfig } from '@app/config';

@Injectable()
class EveryoneActive implements PrincipalValidator {
  isActive(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

function contextOf(request: object): ExecutionContext {
  const handler = () => undefined;
  return {
    getHandler: () => handler,
    getClass: () => EveryoneActive,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}), getNext: () => undefined }),
  } as unknown as ExecutionContext;
}

async function main(): Promise<void> {
  const iterations = Number(/^--iterations=(\d+)$/.exec(process.argv.find((a) => a.startsWith('--iterations=')) ?? '')?.[1] ?? 20_000);
  const config: AppConfig = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'auth-factors-bench-')), DATABASE_URL: 'postgres://unused@127.0.0.1/unused' });

  @Module({ providers: [EveryoneActive], exports: [EveryoneActive] })
  class ValidatorModule {}
  @Module({ imports: [ConfigModule.forRoot(config), AuthModule.forRoot({ imports: [ValidatorModule], principalValidator: EveryoneActive })] })
  class BenchModule {}

  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  const guard = new JwtAuthGuard(app.get(Reflector), app.get(AuthModuleOptions, { strict: false }));
  const key = loadOrCreateSigningKey(config.dataDir);
  const header = `Bearer ${issueToken(key, { subject: '1', issuer: config.jwt.issuer, audience: config.jwt.audience })}`;
  const request = () => ({ headers: { authorization: header }, raw: { rawHeaders: ['authorization', header] } });

  const round = async (count: number): Promise<number> => {
    // CPU time, not wall time: on a shared machine other processes' load would otherwise be measured too.
    const started = process.cpuUsage();
    for (let i = 0; i < count; i++) if (!(await guard.canActivate(contextOf(request())))) throw new Error('refused a genuine token');
    const used = process.cpuUsage(started);
    return (used.user + used.system) / count;
  };
  await round(Math.ceil(iterations / 10)); // warm-up
  const rounds: number[] = [];
  for (let i = 0; i < 5; i++) rounds.push(await round(iterations));
  rounds.sort((a, b) => a - b);
  console.log(
    `AUTHENTICATION ${JSON.stringify({ iterations, microsecondsPerRequest: Number(rounds[2].toFixed(1)), rounds: rounds.map((r) => Number(r.toFixed(1))) })}`,
  );
  await app.close();
}

void main();
