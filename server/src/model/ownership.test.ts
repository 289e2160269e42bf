import { describe, expect, it } from '@jest/globals';
import type { Model } from '@opsroom/models';
import { hashSecret } from '../auth/hash.js';
import { ConfigError } from '../errors.js';
import { federatedModelText, linkedServers } from '../../test/support/federated-model.js';
import { parseModel } from './load-model.js';
import { modelHash } from './model-hash.js';
import { ModelHolder } from './model-holder.js';
import {
  chooseServer,
  linkTopology,
  narrowTo,
  ownerOfEachNode,
  ownership,
  summarizeServers,
  viaChildOfEachNode,
} from './ownership.js';

const HASH = hashSecret('demo');
const load = (text: string): Model => {
  const r = parseModel(text, 'm.yaml');
  expect(r.problems).toEqual([]);
  return r.model!;
};
const federated = load(federatedModelText(HASH));
const single = load(federatedModelText(HASH, ''));

describe('ownership of a three-level federation: region and two councils', () => {
  it('gives every node exactly one owner', () => {
    expect(Object.fromEntries(ownerOfEachNode(federated))).toEqual({
      valle: 'region',
      'valle/norte': 'norte',
      'valle/norte/lana': 'norte',
      'valle/norte/telar': 'norte',
      'valle/sur': 'sur',
      'valle/sur/cobre': 'sur',
      'valle/centro': 'region',
    });
  });

  it('the region owns the root and what no council owns; the councils are its boundary', () => {
    const o = ownership(federated, 'region');
    expect(o).toMatchObject({
      server: 'region',
      children: ['norte', 'sur'],
      top: 'valle',
      owned: ['valle', 'valle/centro'],
      boundary: [
        { path: 'valle/norte', server: 'norte' },
        { path: 'valle/sur', server: 'sur' },
      ],
    });
    expect(o.parent).toBeUndefined();
    const m = o.model;
    expect(m.root).toBe('valle');
    expect([...m.nodes.keys()]).toEqual(['valle', 'valle/norte', 'valle/sur', 'valle/centro']);
    // a boundary node stays in the tree as a leaf: its values come from the council's server (later, the uplink)
    expect(m.nodes.get('valle/norte')).toMatchObject({
      children: [],
      parent: 'valle',
      depth: 1,
      level: 'council',
      boundary: { server: 'norte' },
    });
    expect(m.nodes.get('valle/centro')!.boundary).toBeUndefined();
    expect(m.nodes.get('valle')!.children).toEqual(['valle/norte', 'valle/sur', 'valle/centro']);
    expect([...m.devices.keys()]).toEqual(['centro-plc']);
    expect([...m.users.keys()]).toEqual(['boss']);
  });

  it('a council runs its own subtree: its nodes, devices and users, with the region as parent', () => {
    const o = ownership(federated, 'norte');
    expect(o).toMatchObject({
      server: 'norte',
      parent: 'region',
      children: [],
      top: 'valle/norte',
      owned: ['valle/norte', 'valle/norte/lana', 'valle/norte/telar'],
      boundary: [],
    });
    const m = o.model;
    expect(m.root).toBe('valle/norte');
    expect(m.nodes.get('valle/norte')!.parent).toBeUndefined();
    expect(m.nodes.get('valle/norte')!.depth).toBe(1); // depths (and level names) stay the whole tree's
    expect([...m.nodes.keys()]).toEqual(['valle/norte', 'valle/norte/lana', 'valle/norte/telar']);
    expect([...m.devices.keys()]).toEqual(['lana-plc']);
    expect([...m.users.keys()]).toEqual(['ana']);
    expect(m.indicators).toBe(federated.indicators);
    expect(m.servers).toBe(federated.servers);
    // pure: the whole model is untouched
    expect(federated.nodes.get('valle/norte')!.parent).toBe('valle');
    expect(federated.nodes.size).toBe(7);
  });

  it('a council under a council: the middle one has both a parent and a boundary', () => {
    const text = federatedModelText(
      HASH,
      [
        'servers:',
        '  - { id: region, owns: [valle] }',
        '  - { id: norte, owns: [valle/norte], parent: region }',
        '  - { id: lana, owns: [valle/norte/lana], parent: norte }',
      ].join('\n'),
    );
    const o = ownership(load(text), 'norte');
    expect(o).toMatchObject({ parent: 'region', children: ['lana'], owned: ['valle/norte', 'valle/norte/telar'] });
    expect(o.boundary).toEqual([{ path: 'valle/norte/lana', server: 'lana' }]);
    expect(o.model.devices.size).toBe(0); // lana-plc is bound to a node the lana server owns
  });

  it("keeps the priorities a council's ancestors gave it on its top node", () => {
    const text = federatedModelText(HASH).replace(
      '  - id: valle\n',
      '  - id: valle\n    priorities: { output: critical }\n',
    );
    const m = ownership(load(text), 'norte').model;
    expect(m.nodes.get('valle/norte')!.priorities).toEqual({ output: 'critical' });
    expect(m.nodes.get('valle/norte/lana')!.priorities).toBeUndefined();
    expect(ownership(federated, 'norte').model.nodes.get('valle/norte')!.priorities).toBeUndefined();
  });

  it('refuses an unknown id, naming the servers, and an id for a model without servers', () => {
    expect(() => ownership(federated, 'nort')).toThrow(
      new ConfigError('the model has no server "nort"; did you mean "norte"?; its servers are: region, norte, sur'),
    );
    expect(() => ownership(single, 'norte')).toThrow(/the model has no "servers:" section/);
  });
});

describe('which server a process runs', () => {
  it('is the given one; without an id, the whole tree or the only server; several need an id', () => {
    expect(chooseServer(federated, 'sur')).toBe('sur');
    expect(chooseServer(single, undefined)).toBeUndefined();
    expect(() => chooseServer(federated, undefined)).toThrow(
      'the model defines 3 servers (region, norte, sur); say which this one is with --server-id ID (or OPSROOM_SERVER_ID)',
    );
    const one = load(federatedModelText(HASH, 'servers:\n  - { id: all, owns: [valle] }'));
    expect(chooseServer(one, undefined)).toBe('all');
    expect(narrowTo(undefined)(one).nodes.size).toBe(7);
  });

  it('the model holder narrows every model, and refuses a reload that drops its server', () => {
    const holder = new ModelHolder(federated, undefined, narrowTo('sur'));
    expect(holder.current().root).toBe('valle/sur');
    const seen: string[] = [];
    holder.subscribe((next) => seen.push(next.root));
    holder.replace(federated);
    expect(seen).toEqual(['valle/sur']);
    const without = load(federatedModelText(HASH, 'servers:\n  - { id: region, owns: [valle] }'));
    expect(() => holder.replace(without)).toThrow(/no server "sur"/);
    expect(holder.current().root).toBe('valle/sur');
    expect(narrowTo(undefined)(single)).toBe(single);
  });
});

describe('summarizeServers', () => {
  it('says which server owns what and how many nodes each', () => {
    expect(summarizeServers(federated)).toEqual([
      '3 servers:',
      '  region: owns valle, 2 nodes, no parent (top); boundary valle/norte (norte), valle/sur (sur)',
      '  norte: owns valle/norte, 3 nodes, parent region',
      '  sur: owns valle/sur, 2 nodes, parent region',
    ]);
    expect(summarizeServers(single)).toEqual(['no "servers:": one server runs all 7 nodes']);
  });
});

describe('modelHash', () => {
  it('is sha256 hex, the same for the same content however it is written', () => {
    const h = modelHash(federated);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    const reformatted = federatedModelText(HASH)
      .replace('name: Valle', '# the valley\nname:   Valle')
      .replace('    unit: units/h\n    rollup: sum', '    rollup: sum\n    unit: units/h');
    expect(modelHash(load(reformatted))).toBe(h);
  });

  it('leaves out devices, users and their secret hashes, and notify', () => {
    const other = load(federatedModelText(hashSecret('another')));
    expect(modelHash(other)).toBe(modelHash(federated));
    expect(modelHash({ ...federated, devices: new Map(), users: new Map() })).toBe(modelHash(federated));
    const notify = { webhook: 'https://hooks.example/x?token=t0k3n', secretEnv: 'HOOK_SECRET' };
    const nodes = new Map([...federated.nodes].map(([p, n]) => [p, p === 'valle' ? { ...n, notify } : n]));
    expect(modelHash({ ...federated, nodes })).toBe(modelHash(federated));
  });

  it('changes with the tree, the indicators and the servers', () => {
    const h = modelHash(federated);
    expect(modelHash(load(federatedModelText(HASH).replace('rollup: sum', 'rollup: max')))).not.toBe(h);
    expect(modelHash(load(federatedModelText(HASH).replace('- id: telar', '- id: telar2')))).not.toBe(h);
    expect(modelHash(single)).not.toBe(h);
  });

  it('is the same on every server of the federation (it is of the whole model, not the narrowed one)', () => {
    // start.ts hashes the model it loaded before the holder narrows it
    expect(modelHash(ownership(federated, 'norte').model)).not.toBe(modelHash(federated));
  });
});

describe('the child a question goes to, at any depth (viaChildOfEachNode)', () => {
  const deep = load(
    federatedModelText(
      hashSecret('x'),
      [
        'servers:',
        '  - { id: region, owns: [valle] }',
        '  - { id: norte, owns: [valle/norte], parent: region }',
        '  - { id: lana, owns: [valle/norte/lana], parent: norte }',
        '  - { id: sur, owns: [valle/sur], parent: region }',
      ].join('\n'),
    ),
  );

  it("sends the region's questions about a grandchild's nodes to the child above it, and keeps its own", () => {
    const via = viaChildOfEachNode(deep, 'region');
    expect(via.get('valle/norte/lana')).toBe('norte');
    expect(via.get('valle/norte/telar')).toBe('norte');
    expect(via.get('valle/norte')).toBe('norte');
    expect(via.get('valle/sur/cobre')).toBe('sur');
    expect(via.has('valle')).toBe(false);
    expect(via.has('valle/centro')).toBe(false); // the region's own
  });

  it('sends the middle server its own child only, and nothing about the rest of the tree', () => {
    const via = viaChildOfEachNode(deep, 'norte');
    expect([...via]).toEqual([['valle/norte/lana', 'lana']]);
    expect(viaChildOfEachNode(deep, 'lana').size).toBe(0);
  });
});

describe('the links a server was set up for (linkTopology)', () => {
  it('names parent, top, child servers and boundary, and changes only when they do', () => {
    expect(linkTopology(ownership(federated, 'region'))).toBe(
      'parent none; top valle; children norte, sur; boundary valle/norte (norte), valle/sur (sur)',
    );
    expect(linkTopology(ownership(federated, 'norte'))).toBe(
      'parent region; top valle/norte; children none; boundary none',
    );
    // sur gone from servers: the region runs its subtree, so its children and boundary change; norte's links do not
    const withoutSur = load(federatedModelText(HASH, linkedServers(HASH, ['norte'])));
    expect(linkTopology(ownership(withoutSur, 'region'))).toBe(
      'parent none; top valle; children norte; boundary valle/norte (norte)',
    );
    expect(linkTopology(ownership(withoutSur, 'norte'))).toBe(linkTopology(ownership(federated, 'norte')));
  });
});
