export * from './grpc-code';
export * from './domain.error';
export * from './error-detail';
export * from './error-body';
export * from './error-mapper';
export * from './known-routes';
export * from './all-exceptions.filter';
export * from './errors.module';
