/**
 * An organization's factor policy as stored (the factor-policy feature owns the table). It lives here, importing
 * nothing, because the users feature reads it in the same statement as the user (see UsersRepository), and the
 * factor-policy feature builds on organizations, which build on users: a type of its own there would close a cycle.
 */
export interface StoredFactorPolicy {
  readonly forceMfa: boolean;
  readonly factorChangeMaxAuthAgeSeconds?: number;
}
