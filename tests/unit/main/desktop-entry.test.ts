// The XDG autostart entry's Exec quoting (main/settings/desktop-entry.ts), hostile inputs included:
// every argument must come back as exactly itself when the line is unquoted per the Desktop Entry spec.
import { describe, expect, it } from 'vitest';
import { autostartDesktopEntry, quoteExecArg } from '../../../main/settings/desktop-entry.js';

/** The Desktop Entry spec's reading of an Exec value: string unescape, then quoting, then %% -> %. */
function parseExec(value: string): string[] {
  const unescaped = value.replace(/\\(.)/g, (_m, c: string) => ({ s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' })[c] ?? `\\${c}`);
  const args: string[] = [];
  let i = 0;
  while (i < unescaped.length) {
    if (unescaped[i] === ' ') {
      i++;
      continue;
    }
    if (unescaped[i] !== '"') throw new Error(`unquoted argument at ${i}: ${unescaped}`);
    let arg = '';
    i++;
    while (unescaped[i] !== '"') {
      if (i >= unescaped.length) throw new Error('unterminated quote');
      if (unescaped[i] === '\\') i++;
      arg += unescaped[i];
      i++;
    }
    i++;
    args.push(arg.replace(/%%/g, '%'));
  }
  return args;
}

describe('quoteExecArg', () => {
  it.each([
    '/opt/Vigilink/vigilink',
    '/home/a b/Applications/Vigilink.AppImage',
    '/tmp/x"; touch /tmp/pwned; "',
    '/tmp/$(id)/`whoami`/${HOME}',
    'C:\\odd\\path\\',
    '100%done %f %U',
    "it's",
    '--hidden',
  ])('round-trips %s as one argument', (arg) => {
    const quoted = quoteExecArg(arg);
    expect(parseExec(quoted)).toEqual([arg]);
    // Nothing a shell or the launcher expands survives unescaped.
    expect(quoted.replace(/\\\\[\\"`$]/g, '')).not.toMatch(/(^|[^\\])[`$]/);
  });

  it('refuses line breaks and NUL (they would end the line or the string)', () => {
    expect(() => quoteExecArg('/tmp/a\nExec=/bin/evil')).toThrow(/line breaks/);
    expect(() => quoteExecArg('a\0b')).toThrow();
  });
});

describe('autostartDesktopEntry', () => {
  it('writes a complete entry whose Exec runs exactly the given argv', () => {
    const text = autostartDesktopEntry({ name: 'Vigilink', comment: 'c', icon: 'vigilink', argv: ['/opt/My Apps/Vigilink.AppImage', '--hidden'] });
    const lines = text.split('\n');
    expect(lines[0]).toBe('[Desktop Entry]');
    expect(lines).toEqual(expect.arrayContaining(['Type=Application', 'Name=Vigilink', 'Terminal=false', 'X-GNOME-Autostart-enabled=true']));
    const exec = lines.find((l) => l.startsWith('Exec='))!.slice('Exec='.length);
    expect(parseExec(exec)).toEqual(['/opt/My Apps/Vigilink.AppImage', '--hidden']);
  });

  it('refuses a value that would inject another key', () => {
    expect(() => autostartDesktopEntry({ name: 'V\nExec=evil', comment: '', icon: 'i', argv: ['a'] })).toThrow();
  });
});
