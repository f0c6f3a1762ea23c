export * from './id-generator';
export * from './ids.module';
