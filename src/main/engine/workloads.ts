/**
 * The comparison's workloads (docs/architecture.md#the-comparison): one job for cos and one for swos
 * each. Plain data in a module of its own, so that the host can list them without loading the
 * runner (compare.ts), which loads the emulator: the host's main thread loads no emulator code.
 */

export type GuestOs = 'cos' | 'swos';

export interface Job {
  /** The command line typed at the OS's prompt. */
  command: string;
  /** What its output must contain once the prompt is back (else the job failed, and the run says so). */
  expect: RegExp;
}

export interface Workload {
  name: string;
  /** One line for the comparison view. */
  title: string;
  jobs: Record<GuestOs, Job>;
}

/** The workloads the app offers (the comparison view lists them; `compare(name)` runs one). */
export const WORKLOADS: readonly Workload[] = [
  {
    name: 'burner',
    title: "two long jobs: cos's CPU burner (5 million iterations) and swos counting the primes below 100000",
    jobs: {
      cos: { command: 'burner 5000000', expect: /burner: 5000000 iterations in \d+ ms/ },
      swos: { command: 'primes 100000', expect: /9592 primes below 100000/ },
    },
  },
  {
    name: 'primes',
    title: 'two short jobs: the primes below 10000 in cos (its primes program) and in swos (its primes command)',
    jobs: {
      cos: { command: 'primes', expect: /1229 primes below 10000/ },
      swos: { command: 'primes 10000', expect: /1229 primes below 10000/ },
    },
  },
  {
    name: 'uneven',
    title: "a long job beside a short one: cos's burner (10 million iterations), swos's primes below 10000",
    jobs: {
      cos: { command: 'burner 10000000', expect: /burner: 10000000 iterations in \d+ ms/ },
      swos: { command: 'primes 10000', expect: /1229 primes below 10000/ },
    },
  },
];

/** A command the comparison types at an OS prompt: printable ASCII, no control characters. */
export const COMMAND_PATTERN = /^[\x20-\x7e]{1,64}$/;

/**
 * A workload of the user's own commands (their programs on the disk, or any command the OS knows):
 * a job is done when the OS's prompt is back, whatever it printed (docs/architecture.md#the-comparison).
 */
export function customWorkload(cos: string, swos: string): Workload | string {
  for (const [os, c] of [
    ['cos', cos],
    ['swos', swos],
  ] as const)
    if (!COMMAND_PATTERN.test(c))
      return `${os}'s command must be 1 to 64 printable characters, got ${JSON.stringify(c)}`;
  return {
    name: 'custom',
    title: `your commands: '${cos}' in cos and '${swos}' in swos`,
    jobs: { cos: { command: cos, expect: /[^]*/ }, swos: { command: swos, expect: /[^]*/ } },
  };
}
