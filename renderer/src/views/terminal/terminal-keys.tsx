// The row of keys a phone keyboard lacks: Esc, Tab, a sticky Ctrl, ^C, arrows and a few shell symbols.
// Buttons keep the terminal focused (pointerdown is cancelled) so the soft keyboard stays up.
import type { PointerEvent } from 'react';

export interface KeyRowProps {
  ctrl: boolean;
  onToggleCtrl(): void;
  /** Raw bytes to send; arrows ask for the terminal's cursor-key mode. */
  onSend(data: string): void;
  onArrow(direction: 'A' | 'B' | 'C' | 'D'): void;
}

const SYMBOLS = ['|', '~', '/', '-'];

export function KeyRow({ ctrl, onToggleCtrl, onSend, onArrow }: KeyRowProps) {
  const keep = (e: PointerEvent): void => e.preventDefault();
  const key = (label: string, action: () => void, extra: { pressed?: boolean; aria?: string } = {}) => (
    <button
      key={label}
      type="button"
      className={`key${extra.pressed ? ' pressed' : ''}`}
      aria-label={extra.aria ?? label}
      aria-pressed={extra.pressed}
      onPointerDown={keep}
      onClick={action}
    >
      {label}
    </button>
  );
  return (
    <div className="key-row" role="toolbar" aria-label="Terminal keys">
      {key('Esc', () => onSend('\x1b'))}
      {key('Tab', () => onSend('\t'))}
      {key('Ctrl', onToggleCtrl, { pressed: ctrl })}
      {key('^C', () => onSend('\x03'), { aria: 'Control C' })}
      {key('←', () => onArrow('D'), { aria: 'Left' })}
      {key('↑', () => onArrow('A'), { aria: 'Up' })}
      {key('↓', () => onArrow('B'), { aria: 'Down' })}
      {key('→', () => onArrow('C'), { aria: 'Right' })}
      {SYMBOLS.map((s) => key(s, () => onSend(s)))}
    </div>
  );
}
