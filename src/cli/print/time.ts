// Timestamp formats kubectl prints: RFC 3339 (second precision, UTC) in
// objects, RFC 1123 with numeric zone in the local time zone in `describe`.

import type { Millis } from '../../api/types.js';

/** metav1.Time's JSON form: `2021-02-05T13:14:33Z` (sub-second precision dropped). */
export function rfc3339(ms: Millis): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * Go's time.RFC1123Z layout, `Mon, 02 Dec 2019 15:20:11 +0200`, in the process's
 * local zone (kubectl formats in the zone of the machine it runs on).
 * `undefined` renders Go's zero time, as kubectl does for an unset field.
 */
export function rfc1123z(ms: Millis | undefined): string {
  if (ms === undefined) return 'Mon, 01 Jan 0001 00:00:00 +0000';
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const zone = `${sign}${pad2(Math.trunc(abs / 60))}${pad2(abs % 60)}`;
  return (
    `${DAYS[d.getDay()]}, ${pad2(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ${zone}`
  );
}
