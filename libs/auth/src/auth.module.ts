import { DynamicModule, Global, Module, ModuleMetadata, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthModuleOptions as PassportOptions } from '@nestjs/passport';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { PRINCIPAL_VALIDATOR, PrincipalValidator } from './principal';
import { VerificationKeys } from './verification-keys';

export interface AuthModuleOptions {
  /** Modules that export the validator's dependencies. */
  readonly imports?: ModuleMetadata['imports'];
  /** Tells whether a token's subject is an active user. */
  readonly principalValidator: Type<PrincipalValidator>;
}

/** Bearer-token authentication as a global guard, closed by default; other transports run its {@link JwtStrategy}. */
@Global()
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      imports: options.imports ?? [],
      providers: [
        { provide: PRINCIPAL_VALIDATOR, useExisting: options.principalValidator },
        VerificationKeys,
        JwtStrategy,
        // The guard authenticates with this application's strategy, by its instance's name.
        { provide: PassportOptions, useFactory: (strategy: JwtStrategy) => ({ defaultStrategy: strategy.name }), inject: [JwtStrategy] },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
      ],
      exports: [JwtStrategy],
    };
  }
}
