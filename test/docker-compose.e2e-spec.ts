import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// No container engine runs here: the file is checked by reading it.
describe('docker-compose.yml', () => {
  it('parses as YAML and declares the postgres and auth-factors services', () => {
    const compose = parse(readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8')) as { services?: Record<string, unknown> };
    expect(compose.services).toBeDefined();
    expect(Object.keys(compose.services!)).toEqual(expect.arrayContaining(['postgres', 'auth-factors']));
  });
});
