import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
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

  it('documents the seeds\' details with the sequence as a string (example "2")', () => {
    const sequence = document.components.schemas.ObjectDetailsDto.properties.sequence;
    expect(sequence).toMatchObject({ type: 'string', example: '2' });
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
