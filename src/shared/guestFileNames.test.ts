/**
 * The host API refuses the odd guest file names (docs/disks.md#file-names, issue 13) with a message
 * naming the call, the argument and why, before any face passes the call on.
 */
import { describe, expect, it } from 'vitest';
import { checkArgs } from './api.js';
import { guestFileNameProblem } from './guestFileNames.js';

describe('guest file names in the host API', () => {
  it('refuses ., .., CON and the other odd names for readFile, writeFile and deploy', () => {
    expect(checkArgs('readFile', [1, '..'])).toBe("readFile(): name '..' is not a file name (it means a folder)");
    expect(checkArgs('writeFile', [1, '.', 'x'])).toBe("writeFile(): name '.' is not a file name (it means a folder)");
    expect(checkArgs('deploy', [1, 'CON', 'nop'])).toBe("deploy(): name 'CON' is a device name on Windows (CON)");
    expect(checkArgs('deploy', [1, 'aux.s', 'nop'])).toMatch(/device name on Windows \(AUX\)/);
    expect(checkArgs('readFile', [1, '-v'])).toMatch(/starts with '-'/);
    expect(checkArgs('readFile', [1, 'a.'])).toMatch(/ends with a dot/);
  });

  it('takes ordinary names', () => {
    for (const name of ['hello', 'hello.s', 'lib.inc', 'CONFIG', 'console.s', 'README.TXT', '.profile'])
      expect(checkArgs('readFile', [1, name]), name).toBeUndefined();
  });

  it('says why for names the API pattern would let through to another caller', () => {
    expect(guestFileNameProblem('a b ')).toMatch(/starts or ends with a space/);
    expect(guestFileNameProblem('a:b')).toBe("'a:b' contains ':', which host file names cannot hold");
    expect(guestFileNameProblem('')).toBe('is empty');
  });
});
