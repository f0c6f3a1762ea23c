/** The authenticated caller, from a verified token. */
export interface Principal {
  readonly userId: string;
  /** OIDC `auth_time`: when the user last proved who they are. */
  readonly authTime?: Date;
}

/** Injection token of the {@link PrincipalValidator} the application provides. */
export const PRINCIPAL_VALIDATOR = Symbol('PRINCIPAL_VALIDATOR');

/** Decides whether a token's subject may act: it exists and is active. */
export interface PrincipalValidator {
  isActive(userId: string): Promise<boolean>;
}
