import { AUTH_FACTOR_KINDS, AuthFactorType } from './auth-factor.kind';

/** Replays a user's events into the factors they leave configured: what the read model must show. */
export function replayAuthFactors(events: readonly { type: string }[]): Set<AuthFactorType> {
  const factors = new Set<AuthFactorType>();
  for (const event of events) {
    for (const kind of AUTH_FACTOR_KINDS) {
      if (event.type === kind.addedEvent) factors.add(kind.type);
      if (event.type === kind.removedEvent) factors.delete(kind.type);
    }
  }
  return factors;
}
