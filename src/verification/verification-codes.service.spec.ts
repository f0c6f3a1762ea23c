import { loadConfig } from '@app/config';
import type { AppConfig } from '@app/config';
import { Transaction } from '@app/database';
import { IdGenerator } from '@app/ids';
import { EMAIL_CODE, OTP_SMS_CODE, PHONE_CODE } from './code-purpose';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { CodeSecrets } from './code-secrets';
import { VerificationCodesRepository } from './verification-codes.repository';
import { checkUrlTemplate, VerificationCodesService } from './verification-codes.service';

const PRODUCTION: AppConfig = {
  ...loadConfig({ VERIFICATION_CODE_SECRET: 'a-secret-of-at-least-thirty-two-characters' }),
  production: true,
};
const USER = { id: '1', organizationId: '2' };

// The refusal comes before any write: no transaction or table is reached.
function engine(config: AppConfig): VerificationCodesService {
  return new VerificationCodesService(
    config,
    undefined as unknown as VerificationCodesRepository,
    new CodeSecrets(config),
    new IdGenerator(),
    undefined as unknown as RateLimitService,
  );
}

describe('VerificationCodesService', () => {
  it('refuses, in production, to send a code it has no way to deliver: no SMS provider, no SMTP server', async () => {
    const codes = engine(PRODUCTION);
    const tx = undefined as unknown as Transaction;
    await expect(codes.issue(tx, USER, PHONE_CODE, '+41790000000', { mode: 'send' })).rejects.toMatchObject({ id: 'AUTHF-SMS-DELIVERY-UNSET', code: 9 });
    await expect(codes.issue(tx, USER, OTP_SMS_CODE, '+41790000000', { mode: 'send' })).rejects.toMatchObject({ id: 'AUTHF-SMS-DELIVERY-UNSET' });
    await expect(codes.issue(tx, USER, EMAIL_CODE, 'a@example.com', { mode: 'send' })).rejects.toMatchObject({ id: 'AUTHF-MAIL-DELIVERY-UNSET' });
  });
});

describe('CodeSecrets', () => {
  const secrets = new CodeSecrets(PRODUCTION);

  it('draws codes of the configured shape from the whole alphabet', () => {
    const codes = Array.from({ length: 2000 }, () => secrets.generate('verification', 6));
    expect(codes.every((code) => /^[A-Z0-9]{6}$/.test(code))).toBe(true);
    expect(new Set(codes.join('')).size).toBe(36);
    expect(secrets.generate('otp', 8)).toMatch(/^\d{8}$/);
  });

  it('binds a hash to the code’s id and purpose, and opens only a box sealed for the same code id', () => {
    const hash = secrets.hash('7', 'phone', 'ABC123');
    expect(secrets.matches('7', 'phone', 'ABC123', hash)).toBe(true);
    expect(secrets.matches('8', 'phone', 'ABC123', hash)).toBe(false);
    expect(secrets.matches('7', 'email', 'ABC123', hash)).toBe(false);
    const box = secrets.seal('7', 'ABC123');
    expect(secrets.open('7', box)).toBe('ABC123');
    expect(() => secrets.open('8', box)).toThrow();
    expect(box.toString('utf8')).not.toContain('ABC123');
  });
});

describe('checkUrlTemplate', () => {
  it('takes http(s) URLs with ZITADEL’s placeholders and refuses the rest', () => {
    expect(checkUrlTemplate('https://example.com/verify?code={{.Code}}&user={{.UserID}}&org={{.OrgID}}')).toContain('{{.Code}}');
    for (const bad of ['ftp://example.com/{{.Code}}', '{{.Code}}', 'https://example.com/{{.Secret}}', `https://example.com/${'a'.repeat(2000)}`]) {
      expect(() => checkUrlTemplate(bad)).toThrow(expect.objectContaining({ id: 'AUTHF-EMAIL-URL-TEMPLATE' }));
    }
  });
});
