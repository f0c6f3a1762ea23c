import { Module } from '@nestjs/common';
import { FactorPolicyModule } from '../factor-policy/factor-policy.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { UsersModule } from '../users/users.module';
import { VerificationModule } from '../verification/verification.module';
import { AuthFactorsMetrics } from './auth-factors.metrics';
import { AuthFactorsRepository } from './auth-factors.repository';
import { AuthFactorsService } from './auth-factors.service';
import { IdempotencyKeysRepository } from './idempotency-keys.repository';
import { MfaResetController } from './mfa-reset.controller';
import { MyAuthFactorsController } from './my-auth-factors.controller';
import { UserAuthFactorsController } from './user-auth-factors.controller';
import { UserAuthenticationMethodsController } from './user-authentication-methods.controller';

/** Second factors (OTP SMS, OTP Email); its service is exported for other modules to compose with. */
@Module({
  imports: [UsersModule, RateLimitModule, FactorPolicyModule, VerificationModule],
  controllers: [MyAuthFactorsController, UserAuthFactorsController, UserAuthenticationMethodsController, MfaResetController],
  providers: [AuthFactorsRepository, AuthFactorsService, IdempotencyKeysRepository, AuthFactorsMetrics],
  exports: [AuthFactorsService],
})
export class AuthFactorsModule {}
