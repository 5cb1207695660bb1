// argv built from caller input (openconnect, socat, sh -c, container paths): each value stays one element.
import { describe, expect, it } from 'vitest';
import { commandArgv } from '../../../bridge/vpn/container-commands.js';
import { argvPath } from '../../../bridge/vpn/container-files.js';
import { parseFindRecords } from '../../../bridge/vpn/find-listing.parser.js';
import { authTunnelArgv, startTunnelArgv } from '../../../bridge/vpn/openconnect-args.js';
import { socatArgv, socatFailure } from '../../../bridge/vpn/socat-transport.js';

describe('startTunnelArgv', () => {
  it('puts every option in one element and never the password', () => {
    const argv = startTunnelArgv({ server: 'https://vpn.example/group', username: 'al ice; rm -rf /', protocol: 'gp', servercert: 'pin-sha256:abc=', authgroup: '$(id)' }, 'a1');
    expect(argv).toEqual([
      '/usr/local/bin/vigilink-vpn',
      'start',
      'a1',
      'https://vpn.example/group',
      '--protocol=gp',
      '--user=al ice; rm -rf /',
      '--servercert=pin-sha256:abc=',
      '--authgroup=$(id)',
      '--reconnect-timeout=10',
    ]);
  });
});

describe('authTunnelArgv', () => {
  it('builds the login step with one element per option and no secret', () => {
    const argv = authTunnelArgv({ server: 'vpn.example', username: 'bob --cookie', protocol: 'anyconnect', authgroup: 'Lab network' });
    expect(argv).toEqual(['/usr/local/bin/vigilink-vpn', 'auth', 'vpn.example', '--protocol=anyconnect', '--user=bob --cookie', '--authgroup=Lab network']);
  });
});

describe('socat', () => {
  it('builds TCP addresses for names, IPv4 and IPv6', () => {
    expect(socatArgv('10.77.1.1', 22)).toEqual(['socat', '-', 'TCP:10.77.1.1:22']);
    expect(socatArgv('login.cluster', 2222)).toEqual(['socat', '-', 'TCP:login.cluster:2222']);
    expect(socatArgv('fd00::1', 22)).toEqual(['socat', '-', 'TCP:[fd00::1]:22']);
  });

  it.each(['host,fork', 'a!b', 'x y', 'EXEC:sh', 'h:1,reuseaddr'])('refuses %j (socat address syntax)', (host) => {
    expect(() => socatArgv(host, 22)).toThrow(/not a host name/);
  });

  it("maps socat's errors to errno codes", () => {
    expect((socatFailure('socat[9] E connect(5, AF=2 10.77.1.1:23, 16): Connection refused') as Error & { code: string }).code).toBe('ECONNREFUSED');
    expect((socatFailure('E connect(): No route to host') as Error & { code: string }).code).toBe('EHOSTUNREACH');
    expect(socatFailure('')).toBeNull();
  });
});

describe('container commands and paths', () => {
  it('runs the command as one sh -c argument under timeout, with the marker in timeout\'s command line', () => {
    expect(commandArgv('echo "$HOME"; exit 3', 30_000, 'vigilink-job-1f')).toEqual(['timeout', '--kill-after=2', '30', 'sh', '-c', 'exec sh -c "$1"', 'vigilink-job-1f', 'echo "$HOME"; exit 3']);
  });

  it('keeps paths whole and makes relative ones unambiguous for find', () => {
    expect(argvPath('/tmp/x; touch /tmp/pwned')).toBe('/tmp/x; touch /tmp/pwned');
    expect(argvPath('-delete')).toBe('./-delete');
    expect(argvPath('(')).toBe('./(');
    expect(() => argvPath('a\0b')).toThrow(/NUL/);
  });

  it('parses find -printf records, directories first', () => {
    const records = ['f', '644', '11', '1795847842.123', 'b.txt', 'd', '755', '4096', '1795847000.5', 'a dir', 'l', '777', '7', '1795847000', 'link', ''].join('\0');
    expect(parseFindRecords(Buffer.from(records))).toEqual([
      { name: 'a dir', size: 4096, mode: 'drwxr-xr-x', mtime: 1795847000, type: 'dir' },
      { name: 'b.txt', size: 11, mode: '-rw-r--r--', mtime: 1795847842, type: 'file' },
      { name: 'link', size: 7, mode: 'lrwxrwxrwx', mtime: 1795847000, type: 'link' },
    ]);
  });
});
