import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { httpStatusOf } from '@app/errors';
import { generateOpenApiDocument, stableJson } from '../src/cli/openapi-document';
import { startTestApp, TestApp } from './support/test-app';

const COMMITTED = join(__dirname, '..', 'openapi.json');
const SEED_ROUTES = [
  ['/auth/v1/users/me/auth_factors/otp_sms', 'delete'],
  ['/v2/users/{userId}/otp_email', 'delete'],
] as const;

describe('OpenAPI document (openapi.json)', () => {
  let generated: string;
  let document: any;

  beforeAll(async () => {
    generated = stableJson(await generateOpenApiDocument());
    document = JSON.parse(readFileSync(COMMITTED, 'utf8'));
  });

  it('is committed as the code generates it', () => {
    const committed = readFileSync(COMMITTED, 'utf8');
    if (committed !== generated) {
      throw new Error('openapi.json differs from the document the code generates: run npm run openapi and commit openapi.json');
    }
  });

  it('is the document the running service serves at /docs-json', async () => {
    let t: TestApp | undefined;
    try {
      t = await startTestApp();
      const served = await t.request('GET', '/docs-json');
      expect(served.status).toBe(200);
      expect(stableJson(served.body)).toBe(generated);
    } finally {
      await t?.close();
    }
  });

  it('is a valid OpenAPI document', async () => {
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeDefined();
    expect(document.openapi).toMatch(/^3\./);
  });

  it("documents the seeds' details with the sequence as a string, in examples consistent with each other", () => {
    const { sequence, creationDate, changeDate } = document.components.schemas.ObjectDetailsDto.properties;
    expect(sequence).toMatchObject({ type: 'string', example: '8' });
    // A removal's creationDate and changeDate are its one event's time; a change never precedes the creation.
    expect(Date.parse(changeDate.example)).toBeGreaterThanOrEqual(Date.parse(creationDate.example));
    const etag = document.paths['/auth/v1/users/me/auth_factors/otp_sms'].delete.responses['200'].headers.ETag.schema.example;
    expect(etag).toBe(`"${sequence.example}"`);
  });

  it('gives every documented error status examples of its own, each a real error body with a code of that status', () => {
    const seen = new Map<string, string>();
    for (const [path, operations] of Object.entries<any>(document.paths)) {
      for (const [method, operation] of Object.entries<any>(operations)) {
        for (const [status, response] of Object.entries<any>(operation.responses)) {
          if (status === '200') continue;
          const examples = Object.values<any>(response.content['application/json'].examples ?? {});
          expect({ route: `${method} ${path} ${status}`, examples: examples.length > 0 }).toEqual({ route: `${method} ${path} ${status}`, examples: true });
          for (const { value } of examples) {
            expect(String(httpStatusOf(value.code))).toBe(status === 'default' ? '500' : status);
            expect(value.message).toBe(`${value.details[0].message} (${value.details[0].id})`);
            seen.set(value.details[0].id, status);
          }
        }
      }
    }
    // Not one example for all statuses (as the schema's own example would be).
    expect(new Set(seen.values()).size).toBeGreaterThanOrEqual(7);
  });

  it('words every operation the same way: "One-Time Password (OTP)", and "A successful response." for 200', () => {
    for (const operations of Object.values<any>(document.paths)) {
      for (const operation of Object.values<any>(operations)) {
        expect(operation.responses['200']?.description ?? 'A successful response.').toBe('A successful response.');
        expect(`${operation.summary} ${operation.description ?? ''}`).not.toMatch(/One-Time-Password|One Time Password|second-factor afterward/);
      }
    }
  });

  it('documents the one error body: code, message and details with @type', () => {
    const error = document.components.schemas.ErrorResponseDto;
    expect(Object.keys(error.properties).sort()).toEqual(['code', 'details', 'message']);
    expect(['integer', 'number']).toContain(error.properties.code.type);
    const detailRef: string = error.properties.details.items.$ref;
    const detail = document.components.schemas[detailRef.split('/').pop()!];
    expect(detail.properties['@type']).toMatchObject({ type: 'string', example: 'type.googleapis.com/zitadel.v1.ErrorDetail' });
    expect(Object.keys(detail.properties).sort()).toEqual(['@type', 'id', 'message']);
  });

  it.each(SEED_ROUTES)('documents %s (%s) with 200, the error body as default, and bearer security', (path, method) => {
    const operation = document.paths[path]?.[method];
    expect(operation).toBeDefined();
    expect(operation.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/DetailsResponseDto');
    expect(operation.responses.default.content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorResponseDto');
    expect(operation.security).toEqual([{ bearer: [] }]);
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
