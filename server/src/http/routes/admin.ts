import type { FastifyInstance } from 'fastify';
import {
  AdminDeviceSchema,
  AdminUserSchema,
  DeviceAnswerSchema,
  DeviceIdParams,
  DevicePatchBody,
  NewDeviceBody,
  NewUserBody,
  UserAnswerSchema,
  UserNameParams,
  UserPatchBody,
} from '@opsroom/models/http';
import type { AdminService } from '../../admin/admin-service.js';
import { OpsError } from '../../errors.js';
import { requireUser } from '../auth-hook.js';
import { errorSchema } from '../schemas.js';
import type { AppServices } from '../services.js';
import type { ContractTypeProvider } from '../type-provider.js';

const RULES =
  'For admins, and for councils within their scope: users whose scope, and devices whose node, lie in the ' +
  "caller's scope; others answer 404 as if they did not exist. Nobody gives a role above their own " +
  '(council < planner < admin). Every change is written into the model file (the source of truth; comments ' +
  'and order kept) and takes effect at once.';

const WRITE_ERRORS = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: {
    ...errorSchema,
    description:
      'OPS_ERR_EXISTS (name taken), OPS_ERR_MODEL_CHANGED (file saved meanwhile) or OPS_ERR_MODEL_READ_ONLY (the ' +
      'model file is read-only on this server)',
  },
  422: { ...errorSchema, description: 'OPS_ERR_MODEL_REFUSED: the model would not be valid; nothing changed' },
  503: { ...errorSchema, description: 'OPS_ERR_MODEL_UNWRITABLE: the file could not be written; nothing changed' },
};

/** Users and devices of the model file (README "Administration"). */
export function adminRoutes(server: FastifyInstance, s: AppServices): void {
  const app = server.withTypeProvider<ContractTypeProvider>();
  const auth = requireUser(s);
  const admin = (): AdminService => {
    if (!s.admin) throw new OpsError('OPS_ERR_MODEL_UNWRITABLE', 'administration is not available on this server');
    return s.admin;
  };

  /** A route's options: tagged `admin`, for signed-in callers, RULES (and `more`) as its description. */
  const options = <S extends object>(summary: string, schema: S, more?: string) => ({
    schema: { tags: ['admin'], summary, description: more ? `${RULES} ${more}` : RULES, ...schema },
    preHandler: auth,
  });
  /** The answer of a list: the records in the caller's scope. */
  const listOf = (items: object) => ({
    response: { 200: { type: 'array', items }, 401: errorSchema, 403: errorSchema },
  });

  app.get(
    '/api/admin/users',
    options('Users in the caller’s scope (never a password or hash)', listOf(AdminUserSchema)),
    async (req) => admin().listUsers(req.user!),
  );
  app.post(
    '/api/admin/users',
    options('Add a user; without a password one is generated and answered this once', {
      body: NewUserBody,
      response: { 201: UserAnswerSchema, ...WRITE_ERRORS },
    }),
    async (req, reply) => reply.code(201).send(await admin().addUser(req.user!, req.body)),
  );
  app.patch(
    '/api/admin/users/:name',
    options(
      'Change a user: display name, role, scope, disable/enable, reset the password',
      { params: UserNameParams, body: UserPatchBody, response: { 200: UserAnswerSchema, ...WRITE_ERRORS } },
      "Disabling ends the user's sessions and sockets at once.",
    ),
    async (req) => admin().changeUser(req.user!, req.params.name, req.body),
  );

  app.get(
    '/api/admin/devices',
    options(
      'Devices in the caller’s scope, with last contact and the agent’s buffer health',
      listOf(AdminDeviceSchema),
    ),
    async (req) => admin().listDevices(req.user!),
  );
  app.post(
    '/api/admin/devices',
    options('Provision a device on a node; its secret is generated and answered this once', {
      body: NewDeviceBody,
      response: { 201: DeviceAnswerSchema, ...WRITE_ERRORS },
    }),
    async (req, reply) => reply.code(201).send(await admin().provisionDevice(req.user!, req.body)),
  );
  app.patch(
    '/api/admin/devices/:device',
    options(
      'Rotate a device’s secret (answered this once) or disable/enable it',
      { params: DeviceIdParams, body: DevicePatchBody, response: { 200: DeviceAnswerSchema, ...WRITE_ERRORS } },
      'Disabling or rotating closes its live MQTT connection at once.',
    ),
    async (req) => admin().changeDevice(req.user!, req.params.device, req.body),
  );
}
