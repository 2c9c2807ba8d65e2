import { registerEnumType } from 'type-graphql';
import { SHOW_AS } from '../../domain/appointment.js';

// Stand-in until the sync API (src/api/sync/sync.enums.ts) brings the one ShowAs enum.
export const ShowAsEnum = Object.fromEntries(SHOW_AS.map((v) => [v, v])) as { [K in (typeof SHOW_AS)[number]]: K };
registerEnumType(ShowAsEnum, { name: 'ShowAs', description: 'How the time shows in free/busy views.' });
