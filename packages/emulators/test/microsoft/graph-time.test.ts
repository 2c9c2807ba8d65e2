import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { WINDOWS_TO_IANA_MAP } from 'windows-iana';
import { displayZoneName, resolveZone } from '../../src/microsoft/graph-time.js';

describe('Graph time zone names', () => {
  const windowsNames = [...new Set(WINDOWS_TO_IANA_MAP.map((e) => e.windowsName))];

  it('resolves every Windows zone name, in any case, to a zone luxon knows and echoes its canonical spelling', () => {
    expect(windowsNames.length).toBeGreaterThan(130);
    for (const name of windowsNames) {
      const zone = resolveZone(name.toUpperCase());
      expect(zone !== null && IANAZone.isValidZone(zone), name).toBe(true);
      expect(displayZoneName(` ${name.toLowerCase()} `)).toBe(name);
    }
  });

  it('maps Windows names to the CLDR golden zone', () => {
    expect(resolveZone('W. Europe Standard Time')).toBe('Europe/Berlin');
    expect(resolveZone('pacific standard time')).toBe('America/Los_Angeles');
    expect(resolveZone('India Standard Time')).toBe('Asia/Calcutta');
  });

  it('follows current CLDR for Mountain Standard Time (Mexico): UTC−7 all year, not Chihuahua’s UTC−6', () => {
    expect(resolveZone('Mountain Standard Time (Mexico)')).toBe('America/Mazatlan');
    const july = DateTime.fromISO('2026-07-06T11:00:00', { zone: resolveZone('Mountain Standard Time (Mexico)')! });
    expect(july.offset).toBe(-7 * 60);
  });

  it('accepts IANA names and UTC spellings as given and refuses unknown names', () => {
    expect(resolveZone('Europe/Paris')).toBe('Europe/Paris');
    expect(displayZoneName('Europe/Paris')).toBe('Europe/Paris');
    for (const utc of ['UTC', 'etc/utc', 'GMT', 'Z']) expect(resolveZone(utc)).toBe('UTC');
    expect(resolveZone('Atlantis Standard Time')).toBeNull();
  });
});
