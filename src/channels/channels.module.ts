import { Module } from '@nestjs/common';
import { FactorPolicyModule } from '../factor-policy/factor-policy.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { UsersModule } from '../users/users.module';
import { VerificationModule } from '../verification/verification.module';
import { ChannelsController } from './channels.controller';
import { ChannelsService } from './channels.service';

/** Users' phones and e-mail addresses, verified by code and guarded like the factors that send to them. */
@Module({
  imports: [UsersModule, RateLimitModule, FactorPolicyModule, VerificationModule],
  controllers: [ChannelsController],
  providers: [ChannelsService],
  exports: [ChannelsService],
})
export class ChannelsModule {}
