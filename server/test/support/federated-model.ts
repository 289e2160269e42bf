import { hashSecret } from '../../src/auth/hash.js';

/**
 * A three-level federated model for tests (issue 19): region `valle` (server `region`) with two councils, `norte`
 * and `sur`, each run by a server of its own; a workshop under each; a device and a user at each level.
 */
export function federatedModelText(hash = hashSecret('demo'), servers?: string, extra: ExtraLines = {}): string {
  return (
    [
      'name: Valle',
      'levels: [region, council, workshop]',
      ...(extra.top ?? []),
      'indicators:',
      '  - id: output',
      '    unit: units/h',
      '    rollup: sum',
      'nodes:',
      '  - id: valle',
      '    children:',
      '      - id: norte',
      '        children:',
      '          - id: lana',
      '          - id: telar',
      '      - id: sur',
      '        children:',
      '          - id: cobre',
      '      - id: centro',
      'devices:',
      `  - { id: lana-plc, node: valle/norte/lana, secret_hash: "${hash}" }`,
      `  - { id: cobre-plc, node: valle/sur/cobre, secret_hash: "${hash}" }`,
      `  - { id: centro-plc, node: valle/centro, secret_hash: "${hash}" }`,
      ...(extra.devices ?? []).map(([id, node]) => `  - { id: ${id}, node: ${node}, secret_hash: "${hash}" }`),
      'users:',
      `  - { name: boss, role: admin, scope: valle, password_hash: "${hash}" }`,
      `  - { name: ana, role: admin, scope: valle/norte, password_hash: "${hash}" }`,
      `  - { name: sol, role: council, scope: valle/sur, password_hash: "${hash}" }`,
      ...(extra.users ?? []).map(
        ([name, role, scope]) => `  - { name: ${name}, role: ${role}, scope: ${scope}, password_hash: "${hash}" }`,
      ),
      servers ??
        [
          'servers:',
          '  - id: region',
          '    owns: [valle]',
          '  - id: norte',
          '    owns: [valle/norte]',
          '    parent: region',
          '  - id: sur',
          '    owns: [valle/sur]',
          '    parent: region',
        ].join('\n'),
    ].join('\n') + '\n'
  );
}

/** More lines for {@link federatedModelText}: top-level keys, devices `[id, node]`, users `[name, role, scope]`. */
export interface ExtraLines {
  top?: string[];
  devices?: Array<[string, string]>;
  users?: Array<[string, string, string]>;
}

/**
 * A `servers:` section for {@link federatedModelText} in which the region owns the root and each council in
 * `councils` (norte, sur) runs its own subtree with the uplink secret whose hash is `serverHash`.
 */
export function linkedServers(serverHash: string, councils: ReadonlyArray<'norte' | 'sur'>): string {
  return [
    'servers:',
    '  - { id: region, owns: [valle] }',
    ...councils.map((c) => `  - { id: ${c}, owns: [valle/${c}], parent: region, secret_hash: "${serverHash}" }`),
  ].join('\n');
}
