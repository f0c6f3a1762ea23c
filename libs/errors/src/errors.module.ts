import { Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { KnownRoutes } from './known-routes';

/** Registers the global exception filter, so tests and production share one error pipeline. */
@Global()
@Module({
  providers: [KnownRoutes, { provide: APP_FILTER, useClass: AllExceptionsFilter }],
  exports: [KnownRoutes],
})
export class ErrorsModule {}
