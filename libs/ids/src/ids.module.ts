import { Global, Module } from '@nestjs/common';
import { IdGenerator } from './id-generator';

/** One id generator per process, so its counter orders every id it mints. */
@Global()
@Module({ providers: [{ provide: IdGenerator, useValue: new IdGenerator() }], exports: [IdGenerator] })
export class IdsModule {}
