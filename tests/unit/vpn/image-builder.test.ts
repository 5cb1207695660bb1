// The image build's inputs: the Dockerfiles declare their base and package list the builder reads.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contextHash, readDockerfile } from '../../../bridge/vpn/image-builder.js';

const root = path.resolve(import.meta.dirname, '../../..');

describe('readDockerfile', () => {
  it('reads the backend image base and its packages (what the issue asks for)', () => {
    const parsed = readDockerfile(fs.readFileSync(path.join(root, 'assets/container/Dockerfile'), 'utf8'));
    expect(parsed.registryBase).toBe('debian:bookworm-slim');
    expect(parsed.packages.sort()).toEqual(['ca-certificates', 'iproute2', 'iptables', 'openconnect', 'openssh-client', 'procps', 'socat', 'sshpass']);
  });

  it('reads the ocserv test image too, and refuses a Dockerfile without the two ARGs', () => {
    expect(readDockerfile(fs.readFileSync(path.join(root, 'tests/fixtures/ocserv/Dockerfile'), 'utf8')).packages).toContain('ocserv');
    expect(() => readDockerfile('FROM debian\n')).toThrow(/ARG BASE/);
  });
});

describe('contextHash', () => {
  it('changes when any file of the context changes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigilink-ctx-'));
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM x\n');
    fs.writeFileSync(path.join(dir, 'script'), 'echo 1\n');
    const first = contextHash(dir);
    expect(contextHash(dir)).toBe(first);
    fs.writeFileSync(path.join(dir, 'script'), 'echo 2\n');
    expect(contextHash(dir)).not.toBe(first);
    fs.rmSync(dir, { recursive: true });
  });
});
