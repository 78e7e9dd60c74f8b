// @vitest-environment-options {"url": "https://shop.example/"}
import { expect, it } from 'vitest';
import { page } from './helpers.js';

it('marks our cookies Secure on https', () => {
  const proto = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')!;
  const writes: string[] = [];
  Object.defineProperty(document, 'cookie', {
    configurable: true,
    get: () => proto.get!.call(document),
    set: (v: string) => void (writes.push(v), proto.set!.call(document, v)),
  });
  page('/');
  expect(writes.find((w) => w.startsWith('_et_vid='))).toMatch(/;path=\/;SameSite=Lax;Secure;max-age=31536000$/);
  expect(document.cookie).toContain('_et_vid=');
});
