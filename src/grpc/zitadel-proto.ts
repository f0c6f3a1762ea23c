/**
 * ZITADEL's published descriptors (@zitadel/proto). Its CommonJS build does not
 * load in Node (CommonJS files in a "type": "module" package), so the ESM build
 * is imported once at start-up and injected as {@link ZITADEL_PROTO}.
 */
export async function loadZitadelProto() {
  const [auth, userV1, userService, userV2, message] = await Promise.all([
    import('@zitadel/proto/zitadel/auth_pb'),
    import('@zitadel/proto/zitadel/user_pb'),
    import('@zitadel/proto/zitadel/user/v2/user_service_pb'),
    import('@zitadel/proto/zitadel/user/v2/user_pb'),
    import('@zitadel/proto/zitadel/message_pb'),
  ]);
  return {
    /** zitadel.auth.v1.AuthService */
    AuthService: auth.AuthService,
    /** zitadel.user.v2.UserService */
    UserService: userService.UserService,
    /** zitadel.v1.ErrorDetail, the detail every error carries. */
    ErrorDetailSchema: message.ErrorDetailSchema,
    AuthFactorState: userV1.AuthFactorState,
    UserState: userV2.UserState,
    /** zitadel.user.v2.AuthFactorState (v2's own enum; v1's numbers differ). */
    AuthFactorStateV2: userV2.AuthFactorState,
    AuthenticationMethodType: userService.AuthenticationMethodType,
    /** zitadel.user.v2.AuthFactors, the filter of ListAuthenticationFactors. */
    AuthFactors: userService.AuthFactors,
  };
}

export type ZitadelProto = Awaited<ReturnType<typeof loadZitadelProto>>;

/** Injection token of the loaded {@link ZitadelProto}. */
export const ZITADEL_PROTO = Symbol('ZITADEL_PROTO');
