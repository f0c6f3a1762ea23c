import type { Caller } from '@app/auth';
import { errorInfo, PermissionDeniedError } from '@app/errors';
import type { FactorPolicy } from './factor-policy';

/** The `domain` of the `google.rpc.ErrorInfo` details this service sends. */
export const ERROR_DOMAIN = 'auth-factors';

/**
 * The step-up rule of every credential change (a factor, the phone, the e-mail address): a user changing their
 * own needs a sign-in at most the policy's age old (a future `auth_time` is not fresh); an administrator acting
 * on another user is exempt, and the change is marked so. Returns what the event records about it.
 */
export function checkStepUp(caller: Caller, userId: string, policy: FactorPolicy): Record<string, unknown> {
  const maxAge = policy.factorChangeMaxAuthAgeSeconds;
  if (maxAge === undefined) return {};
  if (caller.userId !== userId) return { adminAction: true };
  const age = caller.authTime ? Date.now() - caller.authTime.getTime() : Infinity;
  if (!(age >= 0 && age <= maxAge * 1000)) {
    throw new PermissionDeniedError(
      'AUTHF-STEPUP-403',
      `Changing your second factors, phone or e-mail address needs a sign-in at most ${maxAge}s old: authenticate again`,
      [errorInfo('STEP_UP_REQUIRED', ERROR_DOMAIN, { maxAge: `${maxAge}s` })],
    );
  }
  return {};
}
