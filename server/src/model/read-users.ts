import type { UserDef } from '@opsroom/models';
import type { Node } from 'yaml';
import { didYouMeanSuffix } from './did-you-mean.js';
import { firstOnLine, openMap, readBoolean, readList, readString } from './fields.js';
import type { MapFields, MapShape } from './fields.js';
import type { NodeTree } from './read-nodes.js';
import { checkId } from './validate-ids.js';
import { checkNodePath } from './validate-refs.js';
import { checkSecretHash, HASH_EXPECTED, plainSecretKeyMessage } from './validate-secrets.js';

/** The roles a user of the model file may have (`device` is for devices, under `devices:`). */
export const USER_ROLES = ['council', 'planner', 'admin'] as const;

export const USER_SHAPE: MapShape = {
  what: 'a user',
  keys: ['name', 'display_name', 'role', 'scope', 'password_hash', 'disabled'],
  required: ['name', 'role', 'scope', 'password_hash'],
  forbidden: {
    password: plainSecretKeyMessage('password', 'password_hash'),
    secret: plainSecretKeyMessage('secret', 'password_hash'),
  },
};

/** `users:` — unique login names, a role, a scope node and a scrypt `password_hash`. */
export function readUsers(f: MapFields, tree: NodeTree): Map<string, UserDef> {
  const users = new Map<string, UserDef>();
  const seen = new Map<string, Node | undefined>();
  for (const item of readList(f, 'users', 'users') ?? []) {
    const g = openMap(f.r, item.node, item.path, USER_SHAPE, f.keyNode('users'));
    if (!g) continue;
    const name = readString(g, 'name');
    const displayName = readString(g, 'display_name');
    const role = readRole(g);
    const scope = readString(g, 'scope', 'a node path from the root, e.g. "valle/norte"');
    const passwordHash = readString(g, 'password_hash', HASH_EXPECTED);
    const disabled = readBoolean(g, 'disabled');
    let ok = role !== undefined && (g.value('disabled') === undefined || disabled !== undefined);
    if (name !== undefined) {
      const nameNode = g.value('name');
      ok = checkId(f.r, nameNode, g.pathOf('name'), name, 'user name') && ok;
      if (seen.has(name)) {
        f.r.report(
          nameNode,
          g.pathOf('name'),
          `the user name "${name}" is used twice${firstOnLine(f.r, seen.get(name))}; user names must be unique`,
        );
        ok = false;
      } else seen.set(name, nameNode);
    }
    if (scope !== undefined) ok = checkNodePath(f.r, tree, g.value('scope'), g.pathOf('scope'), scope) && ok;
    if (passwordHash !== undefined)
      ok =
        checkSecretHash(f.r, g.value('password_hash'), g.pathOf('password_hash'), 'password_hash', passwordHash) && ok;
    if (!ok || name === undefined || role === undefined || scope === undefined || passwordHash === undefined) continue;
    const user: UserDef = { name, role, scope, passwordHash };
    if (displayName !== undefined) user.displayName = displayName;
    if (disabled) user.disabled = true;
    users.set(name, user);
  }
  return users;
}

function readRole(g: MapFields): UserDef['role'] | undefined {
  const expected = `one of: ${USER_ROLES.join(', ')}`;
  const role = readString(g, 'role', expected);
  if (role === undefined) return undefined;
  if ((USER_ROLES as readonly string[]).includes(role)) return role as UserDef['role'];
  const why = role === 'device' ? '; devices go under "devices:", not "users:"' : didYouMeanSuffix(role, USER_ROLES);
  g.r.report(g.value('role'), g.pathOf('role'), `unknown role "${role}"${why}`, expected);
  return undefined;
}
