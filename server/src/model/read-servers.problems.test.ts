import { describe, expect, it } from '@jest/globals';
import { hashSecret } from '../auth/hash.js';
import { federatedModelText } from '../../test/support/federated-model.js';
import { parseModel } from './load-model.js';
import { formatProblem } from './problems.js';

const HASH = hashSecret('demo');
/** The line `servers:` is on in federatedModelText. */
const AT = 26;

/** The federated model with its `servers:` section replaced by `lines`; every problem as validate prints it. */
function problems(...lines: string[]): string[] {
  const r = parseModel(federatedModelText(HASH, lines.join('\n')), 'm.yaml');
  expect(r.model).toBeUndefined();
  return r.problems.map(formatProblem);
}

describe('servers: in the model file', () => {
  it('accepts the three-level example and keeps the servers in the model', () => {
    const r = parseModel(federatedModelText(HASH), 'm.yaml');
    expect(r.problems).toEqual([]);
    expect(r.model!.servers).toEqual([
      { id: 'region', owns: ['valle'] },
      { id: 'norte', owns: ['valle/norte'], parent: 'region' },
      { id: 'sur', owns: ['valle/sur'], parent: 'region' },
    ]);
  });

  it('leaves servers out of a model without the section (one server runs everything)', () => {
    const r = parseModel(federatedModelText(HASH, ''), 'm.yaml');
    expect(r.problems).toEqual([]);
    expect(r.model!.servers).toBeUndefined();
  });

  it('refuses an empty servers section', () => {
    expect(problems('servers:')).toEqual([
      `m.yaml:${AT}:9  servers  "servers" is empty; list the servers and the subtrees they own, or remove it (one server runs everything) (expected a list of servers)`,
    ]);
    expect(problems('servers: []')[0]).toContain('"servers" is empty');
  });

  it('refuses a repeated server id, naming the line of the first', () => {
    expect(
      problems(
        'servers:',
        '  - { id: region, owns: [valle] }',
        '  - { id: region, owns: [valle/norte], parent: region }',
      ),
    ).toEqual([
      `m.yaml:${AT + 2}:11  servers[1].id  the server id "region" is used twice (first on line ${AT + 1}); server ids must be unique`,
    ]);
  });

  it('refuses an invalid id, an unknown key and a missing owns', () => {
    expect(problems('servers:', '  - { id: "re gion", owns: [valle] }', '  - { id: x, parnet: region }')).toEqual([
      `m.yaml:${AT + 1}:11  servers[0].id  "re gion" is not a valid server id: it contains " "; use letters, digits, "_" and "-" only (expected a letter or digit, then up to 63 letters, digits, "_" or "-")`,
      `m.yaml:${AT + 2}:5  servers[1].owns  a server is missing the required field "owns"`,
      `m.yaml:${AT + 2}:14  servers[1].parnet  unknown key "parnet" in a server; did you mean "parent"? (expected one of: id, owns, parent, secret_hash)`,
    ]);
  });

  it('refuses an owns path that is not in the tree, with the likeliest path', () => {
    expect(
      problems('servers:', '  - { id: region, owns: [valle] }', '  - { id: n, owns: [norte], parent: region }'),
    ).toEqual([
      `m.yaml:${AT + 2}:21  servers[1].owns[0]  no node has the path "norte"; did you mean "valle/norte"? Write the full path from the root (expected a node path from the root, e.g. "valle/norte")`,
    ]);
  });

  it('refuses a second subtree for one server (one subtree per server for now)', () => {
    const ps = problems(
      'servers:',
      '  - { id: region, owns: [valle] }',
      '  - { id: n, owns: [valle/norte, valle/sur], parent: region }',
    );
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatch(/^m\.yaml:28:34 {2}servers\[1\]\.owns\[1\] {2}a server runs one subtree for now/);
  });

  it('refuses a subtree owned twice', () => {
    expect(
      problems(
        'servers:',
        '  - { id: region, owns: [valle] }',
        '  - { id: a, owns: [valle/norte], parent: region }',
        '  - { id: b, owns: [valle/norte], parent: region }',
      ),
    ).toEqual([
      `m.yaml:${AT + 3}:21  servers[2].owns[0]  the subtree "valle/norte" is owned twice: by server "a" (first on line ${AT + 2}) and by "b"; every node has exactly one owning server`,
    ]);
  });

  it('refuses a federation where no server owns the root', () => {
    expect(problems('servers:', '  - { id: n, owns: [valle/norte] }')).toEqual([
      `m.yaml:${AT + 1}:3  servers  no server owns the root "valle": exactly one server must (the one at the top, without "parent:") (expected a server with owns: [valle])`,
    ]);
  });

  it('refuses a parent that does not exist, and a server that is its own parent', () => {
    expect(
      problems(
        'servers:',
        '  - { id: region, owns: [valle] }',
        '  - { id: norte, owns: [valle/norte], parent: regoin }',
        '  - { id: sur, owns: [valle/sur], parent: sur }',
      ),
    ).toEqual([
      `m.yaml:${AT + 2}:47  servers[1].parent  no server has the id "regoin"; did you mean "region"? (expected one of: region, norte, sur)`,
      `m.yaml:${AT + 3}:43  servers[2].parent  server "sur" cannot be its own parent (expected the id of another server)`,
    ]);
  });

  it('refuses a parent that is not the server owning the node above, and a missing parent', () => {
    expect(
      problems(
        'servers:',
        '  - { id: region, owns: [valle] }',
        '  - { id: norte, owns: [valle/norte], parent: region }',
        '  - { id: lana, owns: [valle/norte/lana], parent: region }',
        '  - { id: sur, owns: [valle/sur] }',
      ),
    ).toEqual([
      `m.yaml:${AT + 3}:51  servers[2].parent  the parent of server "lana" must be "norte", which owns "valle/norte", the nearest owned node above "valle/norte/lana"; not "region" (expected parent: norte)`,
      `m.yaml:${AT + 4}:11  servers[3].parent  server "sur" needs "parent: region": server "region" owns "valle", the nearest owned node above "valle/sur" (expected parent: region)`,
    ]);
  });

  it('refuses a parent on the server owning the root', () => {
    expect(
      problems(
        'servers:',
        '  - { id: region, owns: [valle], parent: norte }',
        '  - { id: norte, owns: [valle/norte], parent: region }',
      ),
    ).toEqual([
      expect.stringContaining("servers[0].parent  the servers' parents form a cycle: region -> norte -> region"),
    ]);
    expect(
      problems('servers:', '  - { id: region, owns: [valle], parent: sur }', '  - { id: sur, owns: [valle/sur] }'),
    ).toEqual([
      `m.yaml:${AT + 1}:42  servers[0].parent  server "region" owns the root "valle", so it has no parent server; remove "parent"`,
      `m.yaml:${AT + 2}:11  servers[1].parent  server "sur" needs "parent: region": server "region" owns "valle", the nearest owned node above "valle/sur" (expected parent: region)`,
    ]);
  });

  it('refuses a cycle of parents once, naming it', () => {
    const ps = problems(
      'servers:',
      '  - { id: region, owns: [valle] }',
      '  - { id: a, owns: [valle/norte], parent: b }',
      '  - { id: b, owns: [valle/sur], parent: a }',
    );
    expect(ps).toEqual([
      `m.yaml:${AT + 2}:43  servers[1].parent  the servers' parents form a cycle: a -> b -> a; the parent of a server is the one owning the node above its subtree`,
    ]);
  });
});
