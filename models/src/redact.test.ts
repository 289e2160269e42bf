import { describe, expect, it } from '@jest/globals';
import { redactUrl } from './redact.js';

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl('mqtt://opsroom-server:s3cret@broker:1883')).toBe('mqtt://opsroom-server:***@broker:1883');
    expect(redactUrl('mqtt://127.0.0.1:1883/')).toBe('mqtt://127.0.0.1:1883');
  });

  it('never echoes something that is not a URL', () => {
    expect(redactUrl('not a url with s3cret')).toBe('(invalid url)');
  });
});
