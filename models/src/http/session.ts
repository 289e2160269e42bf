/**
 * Who is signed in: the answers of `POST /api/login`, `GET /api/me` and `GET /api/session`, one
 * schema each, from which the server's and the UI's types are derived.
 */
import Type, { type Static } from 'typebox';

/** A signed-in person as the API names them. */
export const SessionUserSchema = Type.Object({
  name: Type.String(),
  role: Type.String({ description: 'council, planner or admin' }),
  scope: Type.String({ description: 'the node path whose subtree they see' }),
});
export type SessionUserView = Static<typeof SessionUserSchema>;

export const LoginAnswerSchema = Type.Object({
  token: Type.String({ description: 'the bearer token (also set as the httpOnly session cookie)' }),
  expires: Type.Number({ description: 'when the session ends, ms since epoch' }),
  user: SessionUserSchema,
});
export type LoginAnswer = Static<typeof LoginAnswerSchema>;

/** One of the demo's public logins, offered only while the server runs `opsroom demo`. */
export const DemoLoginSchema = Type.Object(
  { username: Type.String(), password: Type.String(), role: Type.String() },
  { additionalProperties: false },
);
export type DemoLogin = Static<typeof DemoLoginSchema>;

export const SessionInfoSchema = Type.Object(
  {
    user: Type.Union([SessionUserSchema, Type.Null()], {
      description: 'the signed-in user (session cookie or bearer token), or null',
    }),
    demo: Type.Boolean({ description: 'true when the server runs `opsroom demo`' }),
    demoLogins: Type.Array(DemoLoginSchema, {
      description: "the demo's public logins (empty unless `demo`); role from the model",
    }),
  },
  { additionalProperties: false },
);
export type SessionInfo = Static<typeof SessionInfoSchema>;
