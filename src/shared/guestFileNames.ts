/**
 * Names no new guest file may have, on either guest file system (docs/disks.md#file-names), checked
 * by the host API's argument table (api.ts) and by cfs and sfs before they write. Each file
 * system has its own form on top (cfs: 1..19 printable ASCII; sfs: 8.3); these are the names that
 * fit a form but mean something else where guest files go: `hyperdesk disk get` names the host file
 * after the guest's, so `..` or `.` would be a folder, `CON` or `nul.txt` a device on Windows, `a:b`
 * or `a*b` cannot be a file there, and `-x` reads as an option to the CLI. Files that already have
 * such names can still be read, listed and removed.
 */

/** Windows' reserved device names, with or without an extension (`CON`, `nul.txt`, `COM1`). */
const DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9]|conin\$|conout\$)$/i;
/** Characters no Windows file name can hold (besides control characters, which the forms refuse). */
const HOST_FORBIDDEN = /[\\/:*?"<>|]/;

/** Why `name` cannot be a new guest file's name (`'..' is not a file name ...`), or undefined when it can. */
export function guestFileNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (/^\.+$/.test(name)) return `'${name}' is not a file name (it means a folder)`;
  if (/^\s|\s$/.test(name)) return `'${name}' starts or ends with a space`;
  if (name.endsWith('.')) return `'${name}' ends with a dot (Windows drops it)`;
  if (name.startsWith('-')) return `'${name}' starts with '-' (it would read as an option)`;
  const bad = HOST_FORBIDDEN.exec(name);
  if (bad) return `'${name}' contains '${bad[0]}', which host file names cannot hold`;
  const stem = name.split('.')[0]!;
  if (DEVICE.test(stem)) return `'${name}' is a device name on Windows (${stem.toUpperCase()})`;
  return undefined;
}

/**
 * How the editor treats a guest file: a source (`.s`, `.inc`: our language), a program image (a cfs
 * executable: built from its source, not edited) or plain text. One rule for the running guests'
 * files and the Disks view's (src/main/disk/imageOps.ts).
 */
export function guestFileKind(name: string, executable: boolean): 'source' | 'text' | 'binary' {
  return /\.(s|inc)$/i.test(name) ? 'source' : executable ? 'binary' : 'text';
}
