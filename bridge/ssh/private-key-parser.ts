// Parsing (and decrypting) users' SSH private keys off the event loop: ssh2's parseKey runs an encrypted
// OpenSSH key's bcrypt KDF in plain JS (~75 ms a round on a loaded machine), so it runs in a worker thread
// with a time limit, and the event loop gets back the decrypted key in a form ssh2 reads without a KDF.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import ssh2, { type ParsedKey } from 'ssh2';
import { AppError } from '../core/errors.js';
import { Semaphore, SlotWaitTimeout } from '../core/semaphore.js';
import { unencryptedEd25519Key } from './openssh-key.encoder.js';
import { assertKdfRoundsWithin, opensshKdfRounds } from './private-key-kdf.js';

/**
 * The worker, as CommonJS source rather than a file: the same text runs under tsx, vitest and the
 * compiled Electron app, none of which would agree on how to load a TypeScript worker file.
 * An OpenSSH file may hold several keys (ssh2 answers an array then); ssh2's own connect uses the first.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { utils } = require(workerData.ssh2Path);
let answer;
try {
  const parsed = utils.parseKey(workerData.privateKey, workerData.passphrase);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error) answer = { error: key ? key.message : 'no key in the file' };
  else if (!key.isPrivateKey()) answer = { error: 'a public key' };
  else answer = { type: key.type, privatePem: key.getPrivatePEM(), publicSsh: key.getPublicSSH() };
} catch (error) {
  answer = { error: String(error && error.message) };
}
parentPort.postMessage(answer);
`;

const SSH2_PATH = createRequire(import.meta.url).resolve('ssh2');

/**
 * Parses running at once: each may burn a core for the whole time limit, and the machine has to keep
 * serving everyone else. More wait for a slot.
 */
const PARALLEL_PARSES = 2;

type WorkerAnswer = { error: string } | { type: string; privatePem: string; publicSsh: Uint8Array };

export interface PrivateKeyParserOptions {
  /** The most bcrypt KDF rounds an encrypted key may ask for (SSH_KEY_MAX_KDF_ROUNDS): refused before any parse. */
  maxKdfRounds: number;
  /** How long one parse may run before its worker is stopped (SSH_KEY_PARSE_TIMEOUT_SECONDS). */
  timeoutMs: number;
}

export class PrivateKeyParser {
  private readonly slots = new Semaphore(PARALLEL_PARSES);
  private readonly running = new Set<Worker>();

  constructor(private readonly options: PrivateKeyParserOptions) {}

  /**
   * The private key, decrypted, ready for ssh2 (it runs no KDF on it again); a bad key, a wrong
   * passphrase or a KDF too costly is a 400 naming `field`. The caller drops it after connecting.
   */
  async parse(privateKey: string, passphrase: string | undefined, field: string): Promise<ParsedKey> {
    // A cheap first check: reading the rounds from the header costs microseconds.
    assertKdfRoundsWithin(privateKey, this.options.maxKdfRounds, field);
    const release = await this.slots.acquire({ waitMs: this.options.timeoutMs }).catch((error: unknown) => {
      if (!(error instanceof SlotWaitTimeout)) throw error;
      const seconds = Math.ceil(this.options.timeoutMs / 1000);
      throw new AppError('unavailable', `${field}: other SSH keys are being checked; try again in ${seconds} s`, { retryAfterSeconds: seconds });
    });
    try {
      return usableKey(await this.inWorker(privateKey, passphrase, field), field);
    } finally {
      release();
    }
  }

  /** Stops the parses under way (the bridge is closing); their callers get a 503. */
  async close(): Promise<void> {
    await Promise.all([...this.running].map((worker) => worker.terminate()));
  }

  private inWorker(privateKey: string, passphrase: string | undefined, field: string): Promise<WorkerAnswer> {
    return new Promise((resolve, reject) => {
      // The passphrase goes to the thread in memory: never an argument, variable or file.
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { ssh2Path: SSH2_PATH, privateKey, passphrase },
        // A key is a few KiB: a parse needing more than this is not a key.
        resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
        // Not piped into the bridge's stdout, which is its log: ssh2 writes nothing, and nothing may leak.
        stdout: true,
        stderr: true,
      });
      this.running.add(worker);
      let answered = false;
      const settle = (outcome: () => void): void => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        this.running.delete(worker);
        void worker.terminate();
        outcome();
      };
      const timer = setTimeout(() => settle(() => reject(tooCostly(privateKey, field, this.options.timeoutMs))), this.options.timeoutMs);
      worker.once('message', (answer: WorkerAnswer) => settle(() => resolve(answer)));
      worker.once('error', (error: Error & { code?: string }) =>
        settle(() =>
          reject(
            error.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? new AppError('invalid', `${field}: not a private key ssh2 can read (reading it took too much memory)`)
              : new AppError('internal', 'the SSH key check failed', { cause: error }),
          ),
        ),
      );
      worker.once('exit', () => settle(() => reject(new AppError('unavailable', `${field}: the key check was stopped (the bridge is closing)`))));
    });
  }
}

function tooCostly(privateKey: string, field: string, timeoutMs: number): AppError {
  const rounds = opensshKdfRounds(privateKey);
  const what = rounds === null ? 'reading the key' : `the key's passphrase protection (${rounds} bcrypt rounds)`;
  return new AppError(
    'invalid',
    `${field}: the key's KDF is too expensive: ${what} took more than ${timeoutMs / 1000} s (SSH_KEY_PARSE_TIMEOUT_SECONDS); ` +
      're-encrypt it with fewer rounds (ssh-keygen -p -a 16)',
  );
}

/**
 * The worker's decrypted key as ssh2 reads it here without a KDF: RSA, ECDSA and DSA as the traditional
 * PEM ssh2 gave (PKCS#1, SEC1), ed25519 as an unencrypted OpenSSH file; checked to be the same key.
 */
function usableKey(answer: WorkerAnswer, field: string): ParsedKey {
  if ('error' in answer) {
    const reason = /passphrase|encrypted|decrypt/i.test(answer.error)
      ? 'encrypted: the passphrase is missing or wrong'
      : 'not a private key ssh2 can read (OpenSSH or PEM format expected)';
    throw new AppError('invalid', `${field}: ${reason}`);
  }
  const text = answer.type === 'ssh-ed25519' ? unencryptedEd25519Key(answer.privatePem) : answer.privatePem;
  const key: ParsedKey | ParsedKey[] | Error = ssh2.utils.parseKey(text);
  if (Array.isArray(key) || key instanceof Error || !key.isPrivateKey() || !key.getPublicSSH().equals(answer.publicSsh)) {
    throw new AppError('internal', `${field}: the decrypted ${answer.type} key could not be handed to ssh2`);
  }
  return key;
}
