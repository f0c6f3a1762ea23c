import { Injectable, PipeTransform } from '@nestjs/common';
import { InvalidArgumentError } from '@app/errors';

export const USER_ID_MAX_LENGTH = 200;

/** Validates a `{userId}` path parameter: 1 to 200 characters. */
@Injectable()
export class UserIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || value.length < 1 || value.length > USER_ID_MAX_LENGTH) {
      throw new InvalidArgumentError('AUTHF-USER-400', `userId must be 1 to ${USER_ID_MAX_LENGTH} characters long`);
    }
    // No id can hold one (PostgreSQL text cannot), so it is refused as input rather than looked up.
    if (value.includes('\u0000')) throw new InvalidArgumentError('AUTHF-USER-400', 'userId must not contain NUL characters');
    return value;
  }
}
