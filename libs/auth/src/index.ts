export * from './signing-key';
export * from './token-issuer';
export * from './principal';
export * from './public.decorator';
export * from './caller.decorator';
export * from './jwt.strategy';
export * from './jwt-auth.guard';
export * from './auth.module';
