import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { GrpcCode } from './grpc-code';
import { mapError } from './error-mapper';

describe('mapError', () => {
  it('maps the statement after a lost connection inside a transaction (TypeORM released its runner) to 14 UNAVAILABLE, not 13', () => {
    const { error, cause } = mapError(new QueryRunnerProviderAlreadyReleasedError(), 'req-1');
    expect(error.code).toBe(GrpcCode.UNAVAILABLE);
    expect(error.id).toBe('AUTHF-DB-503');
    expect(cause).toBeInstanceOf(QueryRunnerProviderAlreadyReleasedError);
  });

  it('maps a COMMIT on a connection lost meanwhile (runner already released; never sent, so rolled back) to 14 UNAVAILABLE', () => {
    expect(mapError(new QueryRunnerAlreadyReleasedError(), 'req-3').error.code).toBe(GrpcCode.UNAVAILABLE);
  });

  it('still maps an unknown programming error to 13 INTERNAL', () => {
    expect(mapError(new TypeError('x is undefined'), 'req-2').error.code).toBe(GrpcCode.INTERNAL);
  });
});

describe('mapError: text PostgreSQL cannot store', () => {
  it('maps a NUL character refused by PostgreSQL (22021) to 3 INVALID_ARGUMENT, not 13', () => {
    const refused = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    const { error, cause } = mapError(Object.assign(new Error('query failed'), { driverError: refused }), 'req-4');
    expect(error.code).toBe(GrpcCode.INVALID_ARGUMENT);
    expect(error.id).toBe('AUTHF-REQ-CHARS');
    expect(cause).toBeUndefined();
  });
});
