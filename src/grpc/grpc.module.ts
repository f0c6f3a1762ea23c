import { Module } from '@nestjs/common';
import { AuthFactorsModule } from '../auth-factors/auth-factors.module';
import { ChannelsModule } from '../channels/channels.module';
import { UsersModule } from '../users/users.module';
import { AuthServiceHandler } from './auth-service.handler';
import { ConnectErrorMapper } from './connect-error.mapper';
import { ConnectServices } from './connect-services';
import { GrpcServer } from './grpc.server';
import { UserAdminHandler } from './user-admin.handler';
import { UserServiceHandler } from './user-service.handler';
import { loadZitadelProto, ZITADEL_PROTO } from './zitadel-proto';

/**
 * ZITADEL's own RPCs (zitadel.auth.v1.AuthService, zitadel.user.v2.UserService)
 * over Connect, gRPC-web and gRPC, on the same services as the REST routes.
 * The app factory registers {@link ConnectServices} on the main port; {@link GrpcServer} serves h2c.
 */
@Module({
  imports: [UsersModule, AuthFactorsModule, ChannelsModule],
  providers: [
    { provide: ZITADEL_PROTO, useFactory: loadZitadelProto },
    ConnectErrorMapper,
    AuthServiceHandler,
    UserServiceHandler,
    UserAdminHandler,
    ConnectServices,
    GrpcServer,
  ],
  exports: [ConnectServices, GrpcServer],
})
export class GrpcModule {}
