/** An organization's rules for changing second factors. */
export interface FactorPolicy {
  /** Refuse removing a user's last second factor (an administrator may override with a reason). */
  readonly forceMfa: boolean;
  /** Self-service factor changes need a token whose `auth_time` is at most this many seconds old; undefined: no step-up. */
  readonly factorChangeMaxAuthAgeSeconds?: number;
  /** True when the organization has not set its own policy and the configured defaults apply. */
  readonly isDefault: boolean;
}

/** A `google.protobuf.Duration` in its JSON form: `300s`. */
export function toDurationJson(seconds: number): string {
  return `${seconds}s`;
}
