import { Module } from '@nestjs/common';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { CodeSecrets } from './code-secrets';
import { VerificationCodesRepository } from './verification-codes.repository';
import { VerificationCodesService } from './verification-codes.service';

/** The code engine: verification codes of phones and e-mail addresses, and the OTP factors' codes. */
@Module({
  imports: [RateLimitModule],
  providers: [CodeSecrets, VerificationCodesRepository, VerificationCodesService],
  exports: [VerificationCodesService],
})
export class VerificationModule {}
