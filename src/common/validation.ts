import { Type, ValidationPipe } from '@nestjs/common';
import { assertStorableText } from './request-text';

/** The one validation of request bodies: unknown fields refused, every problem named. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false });
}

const pipe = createValidationPipe();

/**
 * Validates a plain object against a DTO class exactly as a REST body is
 * validated, for transports that do not go through Nest's pipes (Connect, gRPC).
 * Throws the same exception the global pipe throws, after the REST parser's text check.
 */
export async function validateAs<T extends object>(dto: Type<T>, value: object): Promise<T> {
  assertStorableText(value);
  return (await pipe.transform(value, { type: 'body', metatype: dto })) as T;
}
