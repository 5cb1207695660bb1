// Writes freedesktop.org desktop entries (the XDG autostart file on Linux). The Exec line is built from
// argv with the spec's quoting, so a path with spaces, quotes or `$` stays one argument and runs nothing.
import { AppError } from '../../bridge/core/errors.js';

/**
 * One argument of an Exec line. SECURITY: a desktop entry's Exec is parsed by the session's launcher;
 * every argument is quoted, and `"`, `` ` ``, `$`, `\` escaped inside the quotes (Desktop Entry spec,
 * "The Exec key"); `%` doubles (field codes); then the string-value escape doubles every backslash.
 */
export function quoteExecArg(arg: string): string {
  if (/[\n\r\0]/.test(arg)) throw new AppError('invalid', 'A start-at-login command may not contain line breaks or NUL');
  const quoted = `"${arg.replace(/[\\"`$]/g, '\\$&')}"`;
  return quoted.replace(/%/g, '%%').replace(/\\/g, '\\\\');
}

export interface DesktopEntry {
  name: string;
  comment: string;
  argv: readonly string[];
  icon: string;
}

const line = (value: string): string => {
  if (/[\n\r\0]/.test(value)) throw new AppError('invalid', 'Desktop entry values may not contain line breaks or NUL');
  return value;
};

export function autostartDesktopEntry(entry: DesktopEntry): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${line(entry.name)}`,
    `Comment=${line(entry.comment)}`,
    `Exec=${entry.argv.map(quoteExecArg).join(' ')}`,
    `Icon=${line(entry.icon)}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}
