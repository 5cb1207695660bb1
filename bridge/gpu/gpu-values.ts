// nvidia-smi's text values as numbers and strings. Every placeholder it prints for a value it cannot
// read ([N/A], [Not Supported], N/A, [Unknown Error], ...) becomes null, never 0 or NaN.

/** Placeholders seen in real captures and documented by NVIDIA; any bracketed value is one too. */
const PLACEHOLDER =
  /^(?:\[.*\]|N\/A|Not Supported|Not Available|Unknown Error|Requested functionality has been deprecated|Function Not Found|Insufficient Permissions)$/i;

/** A number with an optional unit: "26.78 W", "40 C", "0 %", "1032 MiB", "1950 MHz", "71". */
const NUMBER_WITH_UNIT = /^(-?\d+(?:\.\d+)?)(?:\s*(?:%|[A-Za-z/]+))?$/;

function isPlaceholder(text: string): boolean {
  return text === '' || PLACEHOLDER.test(text);
}

/** A text value, trimmed; null for placeholders and anything that is not a string. */
export function textValue(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  return isPlaceholder(text) ? null : text;
}

/** A finite number read from a value with or without its unit; null for anything else. */
export function numberValue(raw: unknown): number | null {
  const text = textValue(raw);
  if (text === null) return null;
  const match = NUMBER_WITH_UNIT.exec(text);
  if (!match) return null;
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : null;
}

/** A non-negative integer (pids, indexes); null for anything else. */
export function integerValue(raw: unknown): number | null {
  const value = numberValue(raw);
  return value !== null && Number.isInteger(value) && value >= 0 ? value : null;
}

/** The first of several readings that is a number (newer schemas renamed some elements). */
export function firstNumber(...raws: unknown[]): number | null {
  for (const raw of raws) {
    const value = numberValue(raw);
    if (value !== null) return value;
  }
  return null;
}
