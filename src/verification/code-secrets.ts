import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { loadOrCreateSigningKey } from '@app/auth';
import { APP_CONFIG } from '@app/config';
import type { AppConfig } from '@app/config';

// ZITADEL's alphabets for generated codes.
const UPPER_LETTERS_AND_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const DIGITS = '0123456789';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The cryptography of codes: generation from the CSPRNG, the keyed hash that is all the database keeps of a
 * code, and the encryption that carries a code to the outbox until it is sent. Both keys derive (HKDF) from
 * VERIFICATION_CODE_SECRET, or in development from the local signing key, which every instance on the data folder shares.
 */
@Injectable()
export class CodeSecrets {
  private readonly hashKey: Buffer;
  private readonly encryptionKey: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const secret = config.codes.secret ?? loadOrCreateSigningKey(config.dataDir).privateKeyPem;
    this.hashKey = Buffer.from(hkdfSync('sha256', secret, '', 'auth-factors code hash', 32));
    this.encryptionKey = Buffer.from(hkdfSync('sha256', secret, '', 'auth-factors code delivery', 32));
  }

  /** A new code of `length` characters, each drawn uniformly from the alphabet. */
  generate(alphabet: 'verification' | 'otp', length: number): string {
    const characters = alphabet === 'otp' ? DIGITS : UPPER_LETTERS_AND_DIGITS;
    let code = '';
    for (let i = 0; i < length; i++) code += characters[randomInt(characters.length)];
    return code;
  }

  /** The stored form of a code: bound to the code's id and purpose, so a hash proves nothing elsewhere. */
  hash(codeId: string, purpose: string, code: string): Buffer {
    return createHmac('sha256', this.hashKey).update(`${codeId}\0${purpose}\0${code}`).digest();
  }

  /** Whether `candidate` is the code whose hash is `stored`, in time independent of where they differ. */
  matches(codeId: string, purpose: string, candidate: string, stored: Buffer): boolean {
    const hashed = this.hash(codeId, purpose, candidate);
    return hashed.length === stored.length && timingSafeEqual(hashed, stored);
  }

  /** The code encrypted for the outbox, authenticated with its id: iv, tag, ciphertext. */
  seal(codeId: string, code: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv).setAAD(Buffer.from(codeId));
    const ciphertext = Buffer.concat([cipher.update(code, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
  }

  /** The code {@link seal} encrypted; throws when the box was altered or sealed for another code or key. */
  open(codeId: string, box: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, box.subarray(0, IV_BYTES)).setAAD(Buffer.from(codeId));
    decipher.setAuthTag(box.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(box.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
