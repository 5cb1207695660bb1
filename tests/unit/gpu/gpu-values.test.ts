// Value normalisation: every placeholder nvidia-smi prints becomes null, numbers lose their units.
import { describe, expect, it } from 'vitest';
import { firstNumber, integerValue, numberValue, textValue } from '../../../bridge/gpu/gpu-values.js';

describe('numberValue', () => {
  it.each([
    ['26.78 W', 26.78],
    ['40 C', 40],
    ['0 %', 0],
    ['1032 MiB', 1032],
    ['1950 MHz', 1950],
    ['71', 71],
    ['  12 ', 12],
    ['-5', -5],
  ])('reads %j as %d', (raw, expected) => expect(numberValue(raw)).toBe(expected));

  it.each(['[N/A]', 'N/A', '[Not Supported]', 'Not Supported', '[Unknown Error]', '[Requested functionality has been deprecated]', '', 'P0', 'Enabled', '0x1E', '12.5.3', undefined, null, 7])(
    'gives null for %j (never 0 or NaN)',
    (raw) => expect(numberValue(raw)).toBeNull(),
  );
});

describe('textValue and integerValue', () => {
  it('keeps text, drops placeholders', () => {
    expect(textValue(' Tesla T4 ')).toBe('Tesla T4');
    expect(textValue('[N/A]')).toBeNull();
    expect(textValue('N/A')).toBeNull();
    expect(textValue('[Insufficient Permissions]')).toBeNull();
  });

  it('reads whole non-negative numbers only', () => {
    expect(integerValue('5762')).toBe(5762);
    expect(integerValue('1.5')).toBeNull();
    expect(integerValue('-1')).toBeNull();
  });

  it('firstNumber skips placeholders and missing elements', () => {
    expect(firstNumber(undefined, 'N/A', '139.62 W', '142.33 W')).toBe(139.62);
    expect(firstNumber(undefined, '[N/A]')).toBeNull();
  });
});
