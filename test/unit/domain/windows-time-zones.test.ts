import { describe, expect, it } from 'vitest';
import { findIana, findWindows, IANA_ALIAS_MAP, WINDOWS_TO_IANA_MAP } from 'windows-iana';
import { canonicalWindowsTimeZone, ianaAliasesOf, ianaToWindows, isWindowsTimeZone, WINDOWS_TIME_ZONE_NAMES, windowsToIana } from '../../../src/domain/windows-time-zones.js';

describe('CLDR windowsZones mapping', () => {
  it('maps Windows names to the golden IANA zone', () => {
    expect(windowsToIana('Pacific Standard Time')).toBe('America/Los_Angeles');
    expect(windowsToIana('W. Europe Standard Time')).toBe('Europe/Berlin');
    expect(windowsToIana('India Standard Time')).toBe('Asia/Calcutta');
    expect(windowsToIana('UTC')).toBe('Etc/UTC');
    expect(windowsToIana('tokyo standard time')).toBe('Asia/Tokyo');
  });

  it('maps IANA zones and their aliases back to Windows names', () => {
    expect(ianaToWindows('Europe/Paris')).toBe('Romance Standard Time');
    expect(ianaToWindows('Asia/Kolkata')).toBe('India Standard Time');
    expect(ianaToWindows('Asia/Calcutta')).toBe('India Standard Time');
    expect(ianaToWindows('Europe/Kyiv')).toBe('FLE Standard Time');
    expect(ianaToWindows('America/Argentina/Buenos_Aires')).toBe('Argentina Standard Time');
    expect(ianaToWindows('Etc/UTC')).toBe('UTC');
    expect(ianaToWindows('Mars/Olympus_Mons')).toBeNull();
  });

  it('recognises Windows names case-insensitively and returns their canonical spelling', () => {
    expect(isWindowsTimeZone('eastern standard time')).toBe(true);
    expect(isWindowsTimeZone('America/New_York')).toBe(false);
    expect(canonicalWindowsTimeZone('eastern standard time')).toBe('Eastern Standard Time');
  });

  it('lists the aliases of an IANA zone', () => {
    expect(ianaAliasesOf('Asia/Saigon')).toEqual(expect.arrayContaining(['Asia/Saigon', 'Asia/Ho_Chi_Minh']));
    expect(ianaAliasesOf('Europe/Berlin')).toEqual(['Europe/Berlin']);
  });
});

/**
 * The hub keeps its own table (src/domain/windows-time-zones.ts) because windows-iana 5.1.0 carries
 * an older CLDR: it is checked against the package here, and the only differences are where CLDR
 * changed since (each one named with its reason).
 */
describe('the table checked against windows-iana', () => {
  /** Windows name → the golden zone current CLDR gives, where windows-iana still has the old one. */
  const NEWER_GOLDEN: Record<string, string> = {
    // CLDR 43 (CLDR-16386): Chihuahua moved to UTC−6 all year in 2022; UTC−7 Mexico is Mazatlán.
    'Mountain Standard Time (Mexico)': 'America/Mazatlan',
  };
  /** IANA zone → its Windows zone in current CLDR, where windows-iana differs or has none. */
  const NEWER_WINDOWS: Record<string, string> = {
    'America/Chihuahua': 'Central Standard Time (Mexico)',
    'America/Montreal': 'Eastern Standard Time',
    'Europe/Kyiv': 'FLE Standard Time',
  };

  it('knows every Windows zone the package knows, with the same golden IANA zone', () => {
    const golden = WINDOWS_TO_IANA_MAP.filter((r) => r.territory === '001');
    expect(new Set(WINDOWS_TIME_ZONE_NAMES)).toEqual(new Set(golden.map((r) => r.windowsName)));
    for (const { windowsName } of golden) {
      expect(windowsToIana(windowsName), windowsName).toBe(NEWER_GOLDEN[windowsName] ?? findIana(windowsName, '001')[0]);
    }
  });

  it('maps every IANA zone and alias the package maps to the same Windows zone', () => {
    const zones = new Set([...WINDOWS_TO_IANA_MAP.flatMap((r) => r.iana), ...IANA_ALIAS_MAP.flatMap((a) => a.alias), ...Object.keys(NEWER_WINDOWS)]);
    for (const zone of zones) {
      const expected = NEWER_WINDOWS[zone] ?? findWindows(zone)[0] ?? null;
      expect(ianaToWindows(zone), zone).toBe(expected);
    }
  });
});
