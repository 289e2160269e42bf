import { describe, expect, it } from '@jest/globals';
import { tinyModel } from '../../test/support/tiny-model.js';
import { webhookLookupFromModel } from './webhook-targets.js';

describe('webhookLookupFromModel', () => {
  const model = () => {
    const m = tinyModel();
    Object.assign(m.nodes.get('r/a')!, { notify: { webhook: 'https://chat.example/hooks/abc', secretEnv: 'HOOK_A' } });
    Object.assign(m.nodes.get('r/b')!, { notify: { webhook: 'https://chat.example/hooks/b', secretEnv: 'HOOK_B' } });
    Object.assign(m.nodes.get('r')!, { notify: { webhook: 'ftp://nope', secretEnv: 'HOOK_A' } });
    return m;
  };

  it("finds a node's own webhook with the secret from its environment variable, and nothing for others", () => {
    const warnings: unknown[] = [];
    const lookup = webhookLookupFromModel(
      model(),
      { HOOK_A: 's3cret' },
      { info() {}, debug() {}, error() {}, warn: (o) => warnings.push(o) },
    );
    expect(lookup('r/a')).toEqual({ url: 'https://chat.example/hooks/abc', secret: 's3cret' });
    expect(lookup('r/a/a1')).toBeUndefined(); // no inheritance
    expect(lookup('r/b')).toBeUndefined(); // secret variable unset
    expect(lookup('r')).toBeUndefined(); // not http(s)
    expect(warnings).toHaveLength(2);
  });
});
