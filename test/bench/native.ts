/** The same algorithms as the guest programs, in plain JavaScript, for the nativeRatio. */
export function aluNative(iter: number): number {
  let a0 = 0x12345;
  let a1 = 0x6789;
  for (let t0 = iter; t0 !== 0; t0--) {
    a0 = (a0 + a1) | 0;
    a1 ^= a0;
    const a2 = a0 << 3;
    const a3 = a1 >>> 5;
    a0 = (a0 - a2) | 0;
    a1 |= a3;
  }
  return a0;
}

export function sieveNative(n: number, reps: number): number {
  let count = 0;
  const a = new Uint8Array(n);
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) a[i] = 1;
    a[0] = 0;
    a[1] = 0;
    for (let i = 2; i * i < n; i++) {
      if (a[i] === 0) continue;
      for (let j = i * i; j < n; j += i) a[j] = 0;
    }
    count = 0;
    for (let i = 0; i < n; i++) count += a[i];
  }
  return count;
}

export function fibNative(n: number): number {
  return n < 2 ? n : fibNative(n - 1) + fibNative(n - 2);
}
