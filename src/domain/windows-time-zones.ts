/**
 * Windows ↔ IANA time zone names, from the Unicode CLDR `windowsZones.xml` mapping
 * (https://github.com/unicode-org/cldr/blob/main/common/supplemental/windowsZones.xml) and the
 * IANA alias lists of CLDR `bcp47/timezone.xml`. Microsoft Graph writes Windows names
 * ("Pacific Standard Time") in `start.timeZone`, `originalStartTimeZone` and the
 * `Prefer: outlook.timezone` header; Google and the hub use IANA names. Pure data, no I/O.
 *
 * Each row: the Windows name, then the IANA zones CLDR maps to it, the territory-"001" (golden)
 * zone first. The golden zone is what `windowsToIana` returns.
 *
 * Why not the `windows-iana` package alone: its copy of CLDR (5.1.0) predates CLDR 43, so it maps
 * "Mountain Standard Time (Mexico)" to America/Chihuahua (UTC−6 all year since 2022) and knows
 * neither Europe/Kyiv nor America/Montreal. test/unit/domain/windows-time-zones.test.ts checks this
 * table against the package: every name and zone agrees except those, each named with its reason.
 */
const WINDOWS_ZONES: readonly (readonly [windows: string, iana: string])[] = [
  ["Dateline Standard Time", "Etc/GMT+12"],
  ["UTC-11", "Etc/GMT+11 Pacific/Pago_Pago Pacific/Niue Pacific/Midway"],
  ["Aleutian Standard Time", "America/Adak"],
  ["Hawaiian Standard Time", "Pacific/Honolulu Pacific/Rarotonga Pacific/Tahiti Pacific/Johnston Etc/GMT+10"],
  ["Marquesas Standard Time", "Pacific/Marquesas"],
  ["Alaskan Standard Time", "America/Anchorage America/Juneau America/Metlakatla America/Nome America/Sitka America/Yakutat"],
  ["UTC-09", "Etc/GMT+9 Pacific/Gambier"],
  ["Pacific Standard Time (Mexico)", "America/Tijuana America/Santa_Isabel"],
  ["UTC-08", "Etc/GMT+8 Pacific/Pitcairn"],
  ["Pacific Standard Time", "America/Los_Angeles America/Vancouver PST8PDT"],
  ["US Mountain Standard Time", "America/Phoenix America/Creston America/Dawson_Creek America/Fort_Nelson America/Hermosillo Etc/GMT+7"],
  ["Mountain Standard Time (Mexico)", "America/Mazatlan"],
  ["Mountain Standard Time", "America/Denver America/Ciudad_Juarez America/Edmonton America/Cambridge_Bay America/Inuvik America/Yellowknife America/Ojinaga America/Boise MST7MDT"],
  ["Yukon Standard Time", "America/Whitehorse America/Dawson"],
  ["Central America Standard Time", "America/Guatemala America/Belize America/Costa_Rica Pacific/Galapagos America/Tegucigalpa America/Managua America/El_Salvador Etc/GMT+6"],
  ["Central Standard Time", "America/Chicago America/Winnipeg America/Rainy_River America/Rankin_Inlet America/Resolute America/Matamoros America/Indiana/Knox America/Indiana/Tell_City America/Menominee America/North_Dakota/Beulah America/North_Dakota/Center America/North_Dakota/New_Salem CST6CDT"],
  ["Easter Island Standard Time", "Pacific/Easter"],
  ["Central Standard Time (Mexico)", "America/Mexico_City America/Bahia_Banderas America/Merida America/Monterrey America/Chihuahua"],
  ["Canada Central Standard Time", "America/Regina America/Swift_Current"],
  ["SA Pacific Standard Time", "America/Bogota America/Rio_Branco America/Eirunepe America/Coral_Harbour America/Guayaquil America/Jamaica America/Cayman America/Panama America/Lima Etc/GMT+5"],
  ["Eastern Standard Time (Mexico)", "America/Cancun"],
  ["Eastern Standard Time", "America/New_York America/Nassau America/Toronto America/Iqaluit America/Montreal America/Nipigon America/Pangnirtung America/Thunder_Bay America/Detroit America/Indiana/Petersburg America/Indiana/Vincennes America/Indiana/Winamac America/Kentucky/Monticello America/Louisville EST5EDT"],
  ["Haiti Standard Time", "America/Port-au-Prince"],
  ["Cuba Standard Time", "America/Havana"],
  ["US Eastern Standard Time", "America/Indianapolis America/Indiana/Marengo America/Indiana/Vevay"],
  ["Turks And Caicos Standard Time", "America/Grand_Turk"],
  ["Paraguay Standard Time", "America/Asuncion"],
  ["Atlantic Standard Time", "America/Halifax Atlantic/Bermuda America/Glace_Bay America/Goose_Bay America/Moncton America/Thule"],
  ["Venezuela Standard Time", "America/Caracas"],
  ["Central Brazilian Standard Time", "America/Cuiaba America/Campo_Grande"],
  ["SA Western Standard Time", "America/La_Paz America/Antigua America/Anguilla America/Aruba America/Barbados America/St_Barthelemy America/Kralendijk America/Manaus America/Boa_Vista America/Porto_Velho America/Blanc-Sablon America/Curacao America/Dominica America/Santo_Domingo America/Grenada America/Guadeloupe America/Guyana America/St_Kitts America/St_Lucia America/Marigot America/Martinique America/Montserrat America/Puerto_Rico America/Lower_Princes America/Port_of_Spain America/St_Vincent America/Tortola America/St_Thomas Etc/GMT+4"],
  ["Pacific SA Standard Time", "America/Santiago"],
  ["Newfoundland Standard Time", "America/St_Johns"],
  ["Tocantins Standard Time", "America/Araguaina"],
  ["E. South America Standard Time", "America/Sao_Paulo"],
  ["SA Eastern Standard Time", "America/Cayenne Antarctica/Rothera Antarctica/Palmer America/Fortaleza America/Belem America/Maceio America/Recife America/Santarem Atlantic/Stanley America/Paramaribo Etc/GMT+3"],
  ["Argentina Standard Time", "America/Buenos_Aires America/Argentina/La_Rioja America/Argentina/Rio_Gallegos America/Argentina/Salta America/Argentina/San_Juan America/Argentina/San_Luis America/Argentina/Tucuman America/Argentina/Ushuaia America/Catamarca America/Cordoba America/Jujuy America/Mendoza"],
  ["Greenland Standard Time", "America/Godthab"],
  ["Montevideo Standard Time", "America/Montevideo"],
  ["Magallanes Standard Time", "America/Punta_Arenas"],
  ["Saint Pierre Standard Time", "America/Miquelon"],
  ["Bahia Standard Time", "America/Bahia"],
  ["UTC-02", "Etc/GMT+2 America/Noronha Atlantic/South_Georgia"],
  ["Azores Standard Time", "Atlantic/Azores America/Scoresbysund"],
  ["Cape Verde Standard Time", "Atlantic/Cape_Verde Etc/GMT+1"],
  ["UTC", "Etc/UTC Etc/GMT"],
  ["GMT Standard Time", "Europe/London Atlantic/Canary Atlantic/Faeroe Europe/Guernsey Europe/Dublin Europe/Isle_of_Man Europe/Jersey Europe/Lisbon Atlantic/Madeira"],
  ["Greenwich Standard Time", "Atlantic/Reykjavik Africa/Ouagadougou Africa/Abidjan Africa/Accra America/Danmarkshavn Africa/Banjul Africa/Conakry Africa/Bissau Africa/Monrovia Africa/Bamako Africa/Nouakchott Atlantic/St_Helena Africa/Freetown Africa/Dakar Africa/Lome"],
  ["Sao Tome Standard Time", "Africa/Sao_Tome"],
  ["Morocco Standard Time", "Africa/Casablanca Africa/El_Aaiun"],
  ["W. Europe Standard Time", "Europe/Berlin Europe/Andorra Europe/Vienna Europe/Zurich Europe/Busingen Europe/Gibraltar Europe/Rome Europe/Vaduz Europe/Luxembourg Europe/Monaco Europe/Malta Europe/Amsterdam Europe/Oslo Europe/Stockholm Arctic/Longyearbyen Europe/San_Marino Europe/Vatican"],
  ["Central Europe Standard Time", "Europe/Budapest Europe/Tirane Europe/Prague Europe/Podgorica Europe/Belgrade Europe/Ljubljana Europe/Bratislava"],
  ["Romance Standard Time", "Europe/Paris Europe/Brussels Europe/Copenhagen Europe/Madrid Africa/Ceuta"],
  ["Central European Standard Time", "Europe/Warsaw Europe/Sarajevo Europe/Zagreb Europe/Skopje"],
  ["W. Central Africa Standard Time", "Africa/Lagos Africa/Luanda Africa/Porto-Novo Africa/Kinshasa Africa/Bangui Africa/Brazzaville Africa/Douala Africa/Algiers Africa/Libreville Africa/Malabo Africa/Niamey Africa/Ndjamena Africa/Tunis Etc/GMT-1"],
  ["Jordan Standard Time", "Asia/Amman"],
  ["GTB Standard Time", "Europe/Bucharest Asia/Nicosia Asia/Famagusta Europe/Athens"],
  ["Middle East Standard Time", "Asia/Beirut"],
  ["Egypt Standard Time", "Africa/Cairo"],
  ["E. Europe Standard Time", "Europe/Chisinau"],
  ["Syria Standard Time", "Asia/Damascus"],
  ["West Bank Standard Time", "Asia/Hebron Asia/Gaza"],
  ["South Africa Standard Time", "Africa/Johannesburg Africa/Bujumbura Africa/Gaborone Africa/Lubumbashi Africa/Maseru Africa/Blantyre Africa/Maputo Africa/Kigali Africa/Mbabane Africa/Lusaka Africa/Harare Etc/GMT-2"],
  ["FLE Standard Time", "Europe/Kiev Europe/Mariehamn Europe/Sofia Europe/Tallinn Europe/Helsinki Europe/Vilnius Europe/Riga Europe/Uzhgorod Europe/Zaporozhye"],
  ["Israel Standard Time", "Asia/Jerusalem"],
  ["South Sudan Standard Time", "Africa/Juba"],
  ["Kaliningrad Standard Time", "Europe/Kaliningrad"],
  ["Sudan Standard Time", "Africa/Khartoum"],
  ["Libya Standard Time", "Africa/Tripoli"],
  ["Namibia Standard Time", "Africa/Windhoek"],
  ["Arabic Standard Time", "Asia/Baghdad"],
  ["Turkey Standard Time", "Europe/Istanbul"],
  ["Arab Standard Time", "Asia/Riyadh Asia/Bahrain Asia/Kuwait Asia/Qatar Asia/Aden"],
  ["Belarus Standard Time", "Europe/Minsk"],
  ["Russian Standard Time", "Europe/Moscow Europe/Kirov Europe/Simferopol"],
  ["E. Africa Standard Time", "Africa/Nairobi Antarctica/Syowa Africa/Djibouti Africa/Asmera Africa/Addis_Ababa Indian/Comoro Indian/Antananarivo Africa/Mogadishu Africa/Dar_es_Salaam Africa/Kampala Indian/Mayotte Etc/GMT-3"],
  ["Iran Standard Time", "Asia/Tehran"],
  ["Arabian Standard Time", "Asia/Dubai Asia/Muscat Etc/GMT-4"],
  ["Astrakhan Standard Time", "Europe/Astrakhan Europe/Ulyanovsk"],
  ["Azerbaijan Standard Time", "Asia/Baku"],
  ["Russia Time Zone 3", "Europe/Samara"],
  ["Mauritius Standard Time", "Indian/Mauritius Indian/Reunion Indian/Mahe"],
  ["Saratov Standard Time", "Europe/Saratov"],
  ["Georgian Standard Time", "Asia/Tbilisi"],
  ["Volgograd Standard Time", "Europe/Volgograd"],
  ["Caucasus Standard Time", "Asia/Yerevan"],
  ["Afghanistan Standard Time", "Asia/Kabul"],
  ["West Asia Standard Time", "Asia/Tashkent Antarctica/Mawson Asia/Oral Asia/Aqtau Asia/Aqtobe Asia/Atyrau Indian/Maldives Indian/Kerguelen Asia/Dushanbe Asia/Ashgabat Asia/Samarkand Etc/GMT-5"],
  ["Ekaterinburg Standard Time", "Asia/Yekaterinburg"],
  ["Pakistan Standard Time", "Asia/Karachi"],
  ["Qyzylorda Standard Time", "Asia/Qyzylorda"],
  ["India Standard Time", "Asia/Calcutta"],
  ["Sri Lanka Standard Time", "Asia/Colombo"],
  ["Nepal Standard Time", "Asia/Katmandu"],
  ["Central Asia Standard Time", "Asia/Almaty Antarctica/Vostok Asia/Urumqi Indian/Chagos Asia/Bishkek Asia/Qostanay Etc/GMT-6"],
  ["Bangladesh Standard Time", "Asia/Dhaka Asia/Thimphu"],
  ["Omsk Standard Time", "Asia/Omsk"],
  ["Myanmar Standard Time", "Asia/Rangoon Indian/Cocos"],
  ["SE Asia Standard Time", "Asia/Bangkok Antarctica/Davis Indian/Christmas Asia/Jakarta Asia/Pontianak Asia/Phnom_Penh Asia/Vientiane Asia/Saigon Etc/GMT-7"],
  ["Altai Standard Time", "Asia/Barnaul"],
  ["W. Mongolia Standard Time", "Asia/Hovd"],
  ["North Asia Standard Time", "Asia/Krasnoyarsk Asia/Novokuznetsk"],
  ["N. Central Asia Standard Time", "Asia/Novosibirsk"],
  ["Tomsk Standard Time", "Asia/Tomsk"],
  ["China Standard Time", "Asia/Shanghai Asia/Hong_Kong Asia/Macau"],
  ["North Asia East Standard Time", "Asia/Irkutsk"],
  ["Singapore Standard Time", "Asia/Singapore Asia/Brunei Asia/Makassar Asia/Kuala_Lumpur Asia/Kuching Asia/Manila Etc/GMT-8"],
  ["W. Australia Standard Time", "Australia/Perth"],
  ["Taipei Standard Time", "Asia/Taipei"],
  ["Ulaanbaatar Standard Time", "Asia/Ulaanbaatar Asia/Choibalsan"],
  ["Aus Central W. Standard Time", "Australia/Eucla"],
  ["Transbaikal Standard Time", "Asia/Chita"],
  ["Tokyo Standard Time", "Asia/Tokyo Asia/Jayapura Pacific/Palau Asia/Dili Etc/GMT-9"],
  ["North Korea Standard Time", "Asia/Pyongyang"],
  ["Korea Standard Time", "Asia/Seoul"],
  ["Yakutsk Standard Time", "Asia/Yakutsk Asia/Khandyga"],
  ["Cen. Australia Standard Time", "Australia/Adelaide Australia/Broken_Hill"],
  ["AUS Central Standard Time", "Australia/Darwin"],
  ["E. Australia Standard Time", "Australia/Brisbane Australia/Lindeman"],
  ["AUS Eastern Standard Time", "Australia/Sydney Australia/Melbourne"],
  ["West Pacific Standard Time", "Pacific/Port_Moresby Antarctica/DumontDUrville Pacific/Truk Pacific/Guam Pacific/Saipan Etc/GMT-10"],
  ["Tasmania Standard Time", "Australia/Hobart Australia/Currie Antarctica/Macquarie"],
  ["Vladivostok Standard Time", "Asia/Vladivostok Asia/Ust-Nera"],
  ["Lord Howe Standard Time", "Australia/Lord_Howe"],
  ["Bougainville Standard Time", "Pacific/Bougainville"],
  ["Russia Time Zone 10", "Asia/Srednekolymsk"],
  ["Magadan Standard Time", "Asia/Magadan"],
  ["Norfolk Standard Time", "Pacific/Norfolk"],
  ["Sakhalin Standard Time", "Asia/Sakhalin"],
  ["Central Pacific Standard Time", "Pacific/Guadalcanal Antarctica/Casey Pacific/Ponape Pacific/Kosrae Pacific/Noumea Pacific/Efate Etc/GMT-11"],
  ["Russia Time Zone 11", "Asia/Kamchatka Asia/Anadyr"],
  ["New Zealand Standard Time", "Pacific/Auckland Antarctica/McMurdo"],
  ["UTC+12", "Etc/GMT-12 Pacific/Tarawa Pacific/Majuro Pacific/Kwajalein Pacific/Nauru Pacific/Funafuti Pacific/Wake Pacific/Wallis"],
  ["Fiji Standard Time", "Pacific/Fiji"],
  ["Chatham Islands Standard Time", "Pacific/Chatham"],
  ["UTC+13", "Etc/GMT-13 Pacific/Enderbury Pacific/Fakaofo"],
  ["Tonga Standard Time", "Pacific/Tongatapu"],
  ["Samoa Standard Time", "Pacific/Apia"],
  ["Line Islands Standard Time", "Pacific/Kiritimati Etc/GMT-14"],
];

/** IANA names that denote the same zone (CLDR-canonical name first). */
const IANA_ALIASES: readonly string[] = [
  "America/Buenos_Aires America/Argentina/Buenos_Aires",
  "America/Cordoba America/Argentina/Cordoba America/Rosario",
  "America/Catamarca America/Argentina/Catamarca America/Argentina/ComodRivadavia",
  "America/Jujuy America/Argentina/Jujuy",
  "America/Mendoza America/Argentina/Mendoza",
  "Pacific/Pago_Pago Pacific/Samoa US/Samoa",
  "Australia/Adelaide Australia/South",
  "Australia/Broken_Hill Australia/Yancowinna",
  "Australia/Brisbane Australia/Queensland",
  "Australia/Darwin Australia/North",
  "Australia/Hobart Australia/Tasmania",
  "Australia/Lord_Howe Australia/LHI",
  "Australia/Melbourne Australia/Victoria",
  "Australia/Perth Australia/West",
  "Australia/Sydney Australia/ACT Australia/Canberra Australia/NSW",
  "Asia/Dhaka Asia/Dacca",
  "America/Noronha Brazil/DeNoronha",
  "America/Manaus Brazil/West",
  "America/Rio_Branco America/Porto_Acre Brazil/Acre",
  "America/Sao_Paulo Brazil/East",
  "Asia/Thimphu Asia/Thimbu",
  "America/Edmonton Canada/Mountain",
  "America/Halifax Canada/Atlantic",
  "America/Regina Canada/East-Saskatchewan Canada/Saskatchewan",
  "America/St_Johns Canada/Newfoundland",
  "America/Toronto Canada/Eastern",
  "America/Vancouver Canada/Pacific",
  "America/Winnipeg Canada/Central",
  "America/Whitehorse Canada/Yukon",
  "America/Coral_Harbour America/Atikokan",
  "Pacific/Easter Chile/EasterIsland",
  "America/Santiago Chile/Continental",
  "Asia/Shanghai Asia/Chongqing Asia/Chungking Asia/Harbin PRC",
  "Asia/Urumqi Asia/Kashgar",
  "America/Havana Cuba",
  "Asia/Nicosia Europe/Nicosia",
  "Africa/Cairo Egypt",
  "Africa/Asmera Africa/Asmara",
  "Pacific/Ponape Pacific/Pohnpei",
  "Pacific/Truk Pacific/Chuuk Pacific/Yap",
  "Atlantic/Faeroe Atlantic/Faroe",
  "Europe/London Europe/Belfast GB GB-Eire",
  "America/Godthab America/Nuuk",
  "Europe/Kiev Europe/Kyiv",
  "Pacific/Enderbury Pacific/Kanton",
  "Etc/GMT Etc/GMT+0 Etc/GMT-0 Etc/GMT0 Etc/Greenwich GMT GMT+0 GMT-0 GMT0 Greenwich",
  "Asia/Hong_Kong Hongkong",
  "Asia/Makassar Asia/Ujung_Pandang",
  "Europe/Dublin Eire",
  "Asia/Calcutta Asia/Kolkata",
  "Asia/Tehran Iran",
  "Atlantic/Reykjavik Iceland",
  "Asia/Jerusalem Asia/Tel_Aviv Israel",
  "America/Jamaica Jamaica",
  "Asia/Tokyo Japan",
  "Asia/Seoul ROK",
  "Africa/Tripoli Libya",
  "Europe/Chisinau Europe/Tiraspol",
  "Pacific/Kwajalein Kwajalein",
  "Africa/Bamako Africa/Timbuktu",
  "Asia/Rangoon Asia/Yangon",
  "Asia/Ulaanbaatar Asia/Ulan_Bator",
  "Asia/Macau Asia/Macao",
  "America/Mexico_City Mexico/General",
  "America/Mazatlan Mexico/BajaSur",
  "America/Tijuana America/Ensenada Mexico/BajaNorte",
  "Asia/Katmandu Asia/Kathmandu",
  "Pacific/Auckland Antarctica/South_Pole NZ",
  "Pacific/Chatham NZ-CHAT",
  "Europe/Warsaw Poland",
  "Europe/Lisbon Portugal",
  "Europe/Moscow W-SU",
  "Asia/Singapore Singapore",
  "Arctic/Longyearbyen Atlantic/Jan_Mayen",
  "Asia/Ashgabat Asia/Ashkhabad",
  "Europe/Istanbul Asia/Istanbul Turkey",
  "Asia/Taipei ROC",
  "America/Adak America/Atka US/Aleutian",
  "America/Anchorage US/Alaska",
  "America/Chicago US/Central",
  "America/Denver America/Shiprock Navajo US/Mountain",
  "America/Detroit US/Michigan",
  "Pacific/Honolulu US/Hawaii",
  "America/Indianapolis America/Fort_Wayne America/Indiana/Indianapolis US/East-Indiana",
  "America/Indiana/Knox America/Knox_IN US/Indiana-Starke",
  "America/Los_Angeles US/Pacific US/Pacific-New",
  "America/Louisville America/Kentucky/Louisville",
  "America/New_York US/Eastern",
  "America/Phoenix US/Arizona",
  "Etc/UTC Etc/UCT Etc/Universal Etc/Zulu UCT UTC Universal Zulu",
  "Etc/GMT+5 EST",
  "Etc/GMT+7 MST",
  "Etc/GMT+10 HST",
  "America/St_Thomas America/Virgin",
  "Asia/Saigon Asia/Ho_Chi_Minh",
];

const windowsByLower = new Map<string, { name: string; golden: string }>();
const windowsByIana = new Map<string, string>();
const aliasGroup = new Map<string, readonly string[]>();

for (const line of IANA_ALIASES) {
  const group = line.split(' ');
  for (const zone of group) aliasGroup.set(zone.toLowerCase(), group);
}
for (const [name, zones] of WINDOWS_ZONES) {
  const list = zones.split(' ');
  windowsByLower.set(name.toLowerCase(), { name, golden: list[0]! });
  for (const zone of list) {
    for (const alias of aliasGroup.get(zone.toLowerCase()) ?? [zone]) {
      // The first Windows zone that lists a zone wins (CLDR lists each IANA zone once).
      if (!windowsByIana.has(alias.toLowerCase())) windowsByIana.set(alias.toLowerCase(), name);
    }
  }
}

/** Every Windows time zone name CLDR knows. */
export const WINDOWS_TIME_ZONE_NAMES: readonly string[] = WINDOWS_ZONES.map(([name]) => name);

/** Whether `name` is a Windows time zone name (case-insensitive, as Exchange accepts it). */
export function isWindowsTimeZone(name: string): boolean {
  return windowsByLower.has(name.trim().toLowerCase());
}

/** The canonical spelling of a Windows zone name, or `null` if it is not one. */
export function canonicalWindowsTimeZone(name: string): string | null {
  return windowsByLower.get(name.trim().toLowerCase())?.name ?? null;
}

/** The CLDR golden (territory 001) IANA zone of a Windows zone, e.g. "W. Europe Standard Time" → "Europe/Berlin". */
export function windowsToIana(windowsName: string): string | null {
  return windowsByLower.get(windowsName.trim().toLowerCase())?.golden ?? null;
}

/**
 * The Windows zone of an IANA zone or any of its aliases (e.g. "Asia/Kolkata" and "Asia/Calcutta"
 * → "India Standard Time"); `null` when CLDR has no mapping.
 */
export function ianaToWindows(ianaName: string): string | null {
  return windowsByIana.get(ianaName.trim().toLowerCase()) ?? null;
}

/** All IANA names of the same zone, `zone` included; `[zone]` when it has no aliases. */
export function ianaAliasesOf(zone: string): readonly string[] {
  return aliasGroup.get(zone.trim().toLowerCase()) ?? [zone];
}
