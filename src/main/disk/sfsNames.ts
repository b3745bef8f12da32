/**
 * sfs 8.3 names (docs/disks.md#sfs-the-file-system-of-swos): 8 bytes of name and 3 of extension,
 * space-padded, upper case. "readme.txt" is stored as "README  TXT" and shown as "README.TXT".
 */
import { guestFileNameProblem } from '../../shared/guestFileNames.js';
import { fail } from './errors.js';

/** The characters FAT allows in short names, after mapping to upper case. */
const ALLOWED = /^[A-Z0-9!#$%&'()@^_`{}~-]$/;
const SPACE = 0x20;

/** The 11 stored bytes for a user's name; a DiskError (thrown) when it does not fit 8.3. */
export function toSfsName(name: string, where: string): Uint8Array {
  const why = (msg: string): never =>
    fail(`${where}: file name '${name}' ${msg}; sfs names are 8.3 (up to 8 characters, a dot, up to 3)`);
  const upper = name.toUpperCase();
  const parts = upper.split('.');
  if (parts.length > 2) why('has more than one dot');
  const [base, ext = ''] = parts;
  if (base === '') why('has no name before the dot');
  if (base.length > 8) why(`has ${base.length} characters before the dot`);
  if (ext.length > 3) why(`has ${ext.length} characters after the dot`);
  if (parts.length === 2 && ext === '') why('ends with a dot');
  for (const c of base + ext) {
    if (!ALLOWED.test(c)) why(`contains '${c}', which sfs names cannot hold`);
  }
  const out = new Uint8Array(11).fill(SPACE);
  for (let i = 0; i < base.length; i++) out[i] = base.charCodeAt(i);
  for (let i = 0; i < ext.length; i++) out[8 + i] = ext.charCodeAt(i);
  return out;
}

/**
 * The stored bytes for a new file's name: an 8.3 name that is none of the odd names
 * (docs/disks.md#file-names). Reading and removing take any 8.3 name, so old files stay reachable.
 */
export function newSfsName(name: string, where: string): Uint8Array {
  const stored = toSfsName(name, where);
  const odd = guestFileNameProblem(name);
  if (odd) fail(`${where}: file name ${odd}`);
  return stored;
}

/** "README.TXT" from the stored bytes, or the problem with them. */
export function fromSfsName(bytes: Uint8Array): string | { problem: string } {
  const part = (from: number, len: number, what: string, mayBeEmpty: boolean): string | { problem: string } => {
    let s = '';
    let ended = false;
    for (let i = from; i < from + len; i++) {
      const b = bytes[i];
      if (b === SPACE) {
        ended = true;
        continue;
      }
      const c = String.fromCharCode(b);
      if (ended) return { problem: `${what} has a space before '${c}' (byte ${i})` };
      if (!ALLOWED.test(c))
        return { problem: `${what}: byte ${i} (0x${b.toString(16).padStart(2, '0')}) is not allowed in an 8.3 name` };
      s += c;
    }
    if (!mayBeEmpty && s === '') return { problem: `${what} is empty` };
    return s;
  };
  const base = part(0, 8, 'name', false);
  if (typeof base !== 'string') return base;
  const ext = part(8, 3, 'extension', true);
  if (typeof ext !== 'string') return ext;
  return ext ? `${base}.${ext}` : base;
}
