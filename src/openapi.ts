import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorResponseDto } from '@app/errors';

/** The OpenAPI document, built from the controllers' decorators. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('auth-factors')
    .setDescription(
      "Second authentication factors (OTP SMS, OTP Email): the Auth API v1 for the token's own user and the User Service v2 for users the caller may manage. " +
        'Every error has the body `{code, message, details:[{@type, id, message}]}` with a gRPC code.',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token; in development: `npm run --silent token -- --demo`' })
    .build();
  return withSuccessDescriptions(SwaggerModule.createDocument(app, config, { extraModels: [ErrorResponseDto] }));
}

/** ZITADEL's wording for every 200, in one place rather than on each route (Nest leaves it empty). */
const SUCCESS_DESCRIPTION = 'A successful response.';

function withSuccessDescriptions(document: OpenAPIObject): OpenAPIObject {
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations as Record<string, { responses?: Record<string, { description?: string }> }>)) {
      const ok = operation?.responses?.['200'];
      if (ok && !ok.description) ok.description = SUCCESS_DESCRIPTION;
    }
  }
  return document;
}

/** Serves Swagger UI at `/docs` and the document at `/docs-json`. */
export function setupSwaggerUi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'auth-factors API',
    swaggerOptions: { persistAuthorization: true, tryItOutEnabled: true, displayRequestDuration: true },
  });
}
