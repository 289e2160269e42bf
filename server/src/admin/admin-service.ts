/**
 * Users and devices of the model file, changed by an admin (or a council within its scope): the
 * runtime facade behind the admin routes. It takes the caller and throws coded errors; HTTP stays
 * thin. Every change goes through ModelFileWriter (the model file is the source of truth) and
 * takes effect through the model reload path: the broker closes a disabled device's connection,
 * sessions of a disabled or re-scoped user end, sockets re-check their sessions.
 *
 * Scope rules: the caller must be an admin or a council; a user is visible when their scope lies
 * within the caller's, a device when its node does; anything else answers 404 as if it did not
 * exist. Nobody gives a role above their own (council < planner < admin), nor changes a user whose
 * role is above their own, nor a scope outside their own.
 */
import { randomBytes } from 'node:crypto';
import { inScope, type DeviceDef, type Model, type UserDef } from '@opsroom/models';
import type {
  AdminDevice,
  AdminUser,
  DeviceAnswer,
  DevicePatchBody,
  NewDeviceBody,
  NewUserBody,
  UserAnswer,
  UserPatchBody,
} from '@opsroom/models/http';
import { hashSecretAsync } from '../auth/hash.js';
import type { SessionUser } from '../auth/sessions.js';
import { OpsError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { DeviceContacts } from './device-contacts.js';
import type { FieldValue, ModelFileWriter } from './model-file-writer.js';

const RANK = { council: 1, planner: 2, admin: 3 } as const;

/** A generated password or device secret: 24 random bytes, base64url (32 characters). */
export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}

export interface AdminServiceOptions {
  model: () => Model;
  writer: ModelFileWriter;
  contacts: DeviceContacts;
  /** Whether the device has a live connection to the embedded broker (false with an external broker). */
  connected: (deviceId: string) => boolean;
  /** Ends every session of a user (after a password reset). */
  endSessions: (name: string) => void;
  logger: Logger;
}

export class AdminService {
  constructor(private readonly o: AdminServiceOptions) {}

  listUsers(caller: SessionUser): AdminUser[] {
    this.mayAdminister(caller);
    return [...this.o.model().users.values()]
      .filter((u) => inScope(caller.scope, u.scope))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(userView);
  }

  async addUser(caller: SessionUser, body: NewUserBody): Promise<UserAnswer> {
    this.mayAdminister(caller);
    this.mayGive(caller, body.role, body.scope);
    const existing = this.o.model().users.get(body.name);
    if (existing) throw inScope(caller.scope, existing.scope) ? new OpsError('OPS_ERR_EXISTS') : taken();
    const password = body.password ?? generateSecret();
    const hash = await hashSecretAsync(password);
    const fields: Array<[string, FieldValue]> = [['name', body.name]];
    if (body.displayName !== undefined) fields.push(['display_name', body.displayName]);
    fields.push(['role', body.role], ['scope', body.scope], ['password_hash', { quoted: hash }]);
    const model = await this.o.writer.change((file) => {
      if (file.find('users', 'name', body.name)) throw new OpsError('OPS_ERR_EXISTS');
      file.append('users', fields);
    });
    this.o.logger.info(
      { actor: caller.name, user: body.name, role: body.role, scope: body.scope },
      'admin: user added',
    );
    const answer: UserAnswer = { user: userView(model.users.get(body.name)!) };
    if (body.password === undefined) answer.password = password;
    return answer;
  }

  async changeUser(caller: SessionUser, name: string, body: UserPatchBody): Promise<UserAnswer> {
    this.mayAdminister(caller);
    const user = this.visibleUser(caller, name);
    if (RANK[user.role] > RANK[caller.role])
      throw new OpsError('OPS_ERR_FORBIDDEN_ACTION', 'that user has a role above yours');
    if (body.role !== undefined || body.scope !== undefined)
      this.mayGive(caller, body.role ?? user.role, body.scope ?? user.scope);
    if (body.password !== undefined && body.resetPassword)
      throw new OpsError('OPS_ERR_BAD_REQUEST', 'give a password or ask for a generated one, not both');
    if (name === caller.name && (body.disabled === true || body.role !== undefined || body.scope !== undefined))
      throw new OpsError('OPS_ERR_FORBIDDEN_ACTION', 'you may not disable yourself or change your own role or scope');
    const generated = body.resetPassword ? generateSecret() : undefined;
    const plain = body.password ?? generated;
    const hash = plain === undefined ? undefined : await hashSecretAsync(plain);
    const model = await this.o.writer.change((file) => {
      const item = file.find('users', 'name', name);
      if (!item) throw new OpsError('OPS_ERR_NOT_FOUND', `user ${name}`);
      if (body.displayName !== undefined) file.set(item, 'display_name', body.displayName);
      if (body.role !== undefined) file.set(item, 'role', body.role);
      if (body.scope !== undefined) file.set(item, 'scope', body.scope);
      if (hash !== undefined) file.set(item, 'password_hash', { quoted: hash });
      if (body.disabled === true) file.set(item, 'disabled', true);
      if (body.disabled === false) file.remove(item, 'disabled');
    });
    // A new password signs out every session of the old one (disabling ends them through the model).
    if (hash !== undefined) this.o.endSessions(name);
    const changed = Object.keys(body).filter((k) => k !== 'password' && k !== 'resetPassword');
    if (hash !== undefined) changed.push('password');
    this.o.logger.info({ actor: caller.name, user: name, changed }, 'admin: user changed');
    const answer: UserAnswer = { user: userView(model.users.get(name)!) };
    if (generated !== undefined) answer.password = generated;
    return answer;
  }

  listDevices(caller: SessionUser): AdminDevice[] {
    this.mayAdminister(caller);
    return [...this.o.model().devices.values()]
      .filter((d) => inScope(caller.scope, d.node))
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((d) => this.deviceView(d));
  }

  async provisionDevice(caller: SessionUser, body: NewDeviceBody): Promise<DeviceAnswer> {
    this.mayAdminister(caller);
    if (!this.ownNode(body.node) || !inScope(caller.scope, body.node))
      throw new OpsError('OPS_ERR_NOT_FOUND', `node ${body.node}`);
    const existing = this.o.model().devices.get(body.id);
    if (existing) throw inScope(caller.scope, existing.node) ? new OpsError('OPS_ERR_EXISTS') : taken();
    const secret = generateSecret();
    const hash = await hashSecretAsync(secret);
    const model = await this.o.writer.change((file) => {
      if (file.find('devices', 'id', body.id)) throw new OpsError('OPS_ERR_EXISTS');
      file.append('devices', [
        ['id', body.id],
        ['node', body.node],
        ['secret_hash', { quoted: hash }],
      ]);
    });
    this.o.logger.info({ actor: caller.name, device: body.id, node: body.node }, 'admin: device provisioned');
    return { device: this.deviceView(model.devices.get(body.id)!), secret };
  }

  async changeDevice(caller: SessionUser, id: string, body: DevicePatchBody): Promise<DeviceAnswer> {
    this.mayAdminister(caller);
    const device = this.o.model().devices.get(id);
    if (!device || !inScope(caller.scope, device.node)) throw new OpsError('OPS_ERR_NOT_FOUND', `device ${id}`);
    const secret = body.rotateSecret ? generateSecret() : undefined;
    const hash = secret === undefined ? undefined : await hashSecretAsync(secret);
    const model = await this.o.writer.change((file) => {
      const item = file.find('devices', 'id', id);
      if (!item) throw new OpsError('OPS_ERR_NOT_FOUND', `device ${id}`);
      if (hash !== undefined) file.set(item, 'secret_hash', { quoted: hash });
      if (body.disabled === true) file.set(item, 'disabled', true);
      if (body.disabled === false) file.remove(item, 'disabled');
    });
    this.o.logger.info({ actor: caller.name, device: id, changed: Object.keys(body) }, 'admin: device changed');
    const answer: DeviceAnswer = { device: this.deviceView(model.devices.get(id)!) };
    if (secret !== undefined) answer.secret = secret;
    return answer;
  }

  private deviceView(d: DeviceDef): AdminDevice {
    const c = this.o.contacts.get(d.id);
    const buffer: AdminDevice['buffer'] = { health: c?.health ?? 'unknown' };
    if (c?.bufferDepth !== undefined) buffer.depth = c.bufferDepth;
    if (c?.dropped !== undefined) buffer.dropped = c.dropped;
    if (c?.lastPublishAgeS !== undefined) buffer.lastPublishAgeS = c.lastPublishAgeS;
    if (c?.statusAt !== undefined) buffer.statusAt = c.statusAt;
    return {
      id: d.id,
      node: d.node,
      disabled: d.disabled === true,
      connected: this.o.connected(d.id),
      lastContact: c?.lastContact ?? null,
      buffer,
    };
  }

  private mayAdminister(caller: SessionUser): void {
    if (caller.role !== 'admin' && caller.role !== 'council')
      throw new OpsError('OPS_ERR_FORBIDDEN_ACTION', 'administration is for admins and councils');
  }

  /** A node this server runs: in the model, and not the boundary of a child server's subtree (issue 19). */
  private ownNode(path: string): boolean {
    const node = this.o.model().nodes.get(path);
    return node !== undefined && node.boundary === undefined;
  }

  /** A role no higher than the caller's, and a scope that exists inside the caller's (404 otherwise). */
  private mayGive(caller: SessionUser, role: UserDef['role'], scope: string): void {
    if (!this.ownNode(scope) || !inScope(caller.scope, scope)) throw new OpsError('OPS_ERR_NOT_FOUND', `node ${scope}`);
    if (RANK[role] > RANK[caller.role])
      throw new OpsError('OPS_ERR_FORBIDDEN_ACTION', `you may not give the role ${role}, above your own`);
  }

  private visibleUser(caller: SessionUser, name: string): UserDef {
    const user = this.o.model().users.get(name);
    if (!user || !inScope(caller.scope, user.scope)) throw new OpsError('OPS_ERR_NOT_FOUND', `user ${name}`);
    return user;
  }
}

/** A name taken outside the caller's scope: refused as taken, without saying where. */
const taken = () => new OpsError('OPS_ERR_EXISTS');

function userView(u: UserDef): AdminUser {
  const view: AdminUser = { name: u.name, role: u.role, scope: u.scope, disabled: u.disabled === true };
  if (u.displayName !== undefined) view.displayName = u.displayName;
  return view;
}
