// Under ingest pressure, how long entries may wait before they are applied (src/store/log/pressure.ts).
import { describe, expect, it } from 'vitest';
import { MAX_DEFER_MS, PRESSURE_MS, Pressure } from '../../src/store/log/pressure.js';

describe('ingest pressure', () => {
  it('defers young entries only while the pressure was heard within its window', () => {
    const p = new Pressure();
    const t = 1_000_000;
    expect(p.defers(t, t)).toBe(false); // never heard
    p.heard(t);
    expect(p.defers(t, t)).toBe(true);
    expect(p.defers(t, t + PRESSURE_MS - 1)).toBe(true);
    expect(p.defers(t, t + PRESSURE_MS)).toBe(false); // the burst has passed
  });

  it('never defers an entry past MAX_DEFER_MS, however long the pressure lasts', () => {
    const p = new Pressure();
    const received = 1_000_000;
    const now = received + MAX_DEFER_MS;
    p.heard(now);
    expect(p.defers(received + 1, now)).toBe(true);
    expect(p.defers(received, now)).toBe(false);
    expect(p.defers(received - 60_000, now)).toBe(false);
  });
});
