import { describe, expect, it } from 'vitest';
import { canonicalWindowsTimeZone, ianaAliasesOf, ianaToWindows, isWindowsTimeZone, windowsToIana } from '../../../src/domain/windows-time-zones.js';

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
