/**
 * The administration API's schemas (users and devices of the model file; README "Administration").
 * Secrets travel only in answers that create them (shown once) and in request bodies that set them;
 * no schema of a listing has a field for a hash or a secret.
 */
import Type, { type Static } from 'typebox';

/** Ids and user names: a letter or digit, then up to 63 letters, digits, `.`, `_` or `-` (models/README.md). */
const ID = { pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', minLength: 1, maxLength: 64 } as const;
const PATH = Type.String({ minLength: 1, maxLength: 512, description: 'a node path from the root' });
const USER_ROLE = Type.Enum(['council', 'planner', 'admin'] as const, {
  description: 'council < planner < admin; a council may give no role above its own',
});
const PASSWORD = (description: string) => Type.String({ minLength: 12, maxLength: 1024, description });

export const UserNameParams = Type.Object({ name: Type.String(ID) });
export type UserNameParams = Static<typeof UserNameParams>;
export const DeviceIdParams = Type.Object({ device: Type.String(ID) });
export type DeviceIdParams = Static<typeof DeviceIdParams>;

export const AdminUserSchema = Type.Object(
  {
    name: Type.String(),
    displayName: Type.Optional(Type.String()),
    role: USER_ROLE,
    scope: Type.String({ description: 'the node path the user sees, with its subtree' }),
    disabled: Type.Boolean({ description: 'true: no login, sessions ended' }),
  },
  { additionalProperties: false },
);
export type AdminUser = Static<typeof AdminUserSchema>;

export const NewUserBody = Type.Object(
  {
    name: Type.String({ ...ID, description: 'the login name' }),
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    role: USER_ROLE,
    scope: PATH,
    password: Type.Optional(PASSWORD('at least 12 characters; absent: one is generated and answered once')),
  },
  { additionalProperties: false },
);
export type NewUserBody = Static<typeof NewUserBody>;

export const UserPatchBody = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    role: Type.Optional(USER_ROLE),
    scope: Type.Optional(PATH),
    disabled: Type.Optional(Type.Boolean()),
    password: Type.Optional(PASSWORD('reset the password to this one (at least 12 characters)')),
    resetPassword: Type.Optional(
      Type.Literal(true, { description: 'reset the password to a generated one, answered once' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UserPatchBody = Static<typeof UserPatchBody>;

/** A password or secret the server generated: in the answer this once, stored only as a scrypt hash. */
const shownOnce = (what: 'password' | 'secret') =>
  Type.Optional(Type.String({ description: `the generated ${what}: shown this once, stored only as a scrypt hash` }));

export const UserAnswerSchema = Type.Object(
  {
    user: AdminUserSchema,
    password: shownOnce('password'),
  },
  { additionalProperties: false },
);
export type UserAnswer = Static<typeof UserAnswerSchema>;

export const BUFFER_HEALTH = ['ok', 'backlog', 'dropping', 'unknown'] as const;

export const AdminDeviceSchema = Type.Object(
  {
    id: Type.String(),
    node: Type.String(),
    disabled: Type.Boolean({ description: 'true: the broker refuses it' }),
    connected: Type.Boolean({ description: 'a live MQTT connection to the embedded broker now' }),
    lastContact: Type.Union([Type.Integer(), Type.Null()], {
      description:
        'ms since epoch of its last accepted message; after a restart, of its newest stored reading until it speaks ' +
        '(embedded and memory stores); null: none',
    }),
    buffer: Type.Object(
      {
        health: Type.Enum(BUFFER_HEALTH, {
          description: 'from its last status readings: dropping (drops grew), backlog (readings wait), ok, unknown',
        }),
        depth: Type.Optional(Type.Number({ description: 'agent_buffer_depth' })),
        dropped: Type.Optional(Type.Number({ description: 'agent_dropped_total' })),
        lastPublishAgeS: Type.Optional(Type.Number({ description: 'agent_last_publish_age_s' })),
        statusAt: Type.Optional(Type.Integer({ description: 'ms since epoch of the last status readings' })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type AdminDevice = Static<typeof AdminDeviceSchema>;

export const NewDeviceBody = Type.Object(
  {
    id: Type.String({ ...ID, description: 'its MQTT username and the device level of its topics' }),
    node: PATH,
  },
  { additionalProperties: false },
);
export type NewDeviceBody = Static<typeof NewDeviceBody>;

export const DevicePatchBody = Type.Object(
  {
    disabled: Type.Optional(Type.Boolean({ description: 'true: its connection is closed and new ones refused' })),
    rotateSecret: Type.Optional(
      Type.Literal(true, { description: 'a new secret, answered once; the old one stops working at once' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type DevicePatchBody = Static<typeof DevicePatchBody>;

export const DeviceAnswerSchema = Type.Object(
  {
    device: AdminDeviceSchema,
    secret: shownOnce('secret'),
  },
  { additionalProperties: false },
);
export type DeviceAnswer = Static<typeof DeviceAnswerSchema>;
