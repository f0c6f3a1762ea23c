import { Matches, ValidationOptions } from 'class-validator';

/**
 * Refuses C0/C1 control characters and DEL. An e-mail address's quoted local part may hold CR and LF by the
 * letter of RFC 5321, and isEmail lets them through; stored, they would reach SMTP envelopes and log lines.
 */
export function NoControlCharacters(options?: ValidationOptions): PropertyDecorator {
  return Matches(/^[^\p{Cc}]*$/u, { message: ({ property }) => `${property} must not contain control characters`, ...options });
}
