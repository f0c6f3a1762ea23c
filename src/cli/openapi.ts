import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { generateOpenApiDocument, stableJson } from './openapi-document';

/** Writes `openapi.json` at the repository root (or the path given); no database needed. */
async function main(): Promise<void> {
  const target = resolve(process.argv[2] ?? 'openapi.json');
  await writeFile(target, stableJson(await generateOpenApiDocument()));
  console.log(`Wrote ${target}`);
}

main().catch((error: unknown) => {
  console.error('openapi: ', error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
