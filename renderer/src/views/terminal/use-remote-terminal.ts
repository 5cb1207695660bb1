// One interactive terminal: an xterm.js screen bound to a PTY shell on the bridge over socket.io
// (term:open/input/resize/close out, term:data/exit in), fitted to its box and resized with it.
import { useEffect, useRef, useState, type RefObject } from 'react';
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import type { TermOpened, TerminalTarget } from '../../../../bridge/contracts/terminal';
import { request, type LiveSocket } from '../../api/live-socket';
import { errorText } from '../../ui/format';

export type TerminalPhase =
  | { kind: 'opening' }
  | { kind: 'open'; opened: TermOpened }
  | { kind: 'ended'; message: string }
  | { kind: 'error'; detail: string };

const THEME: ITheme = {
  background: '#0d1117',
  foreground: '#e6edf3',
  cursor: '#7ee2c7',
  selectionBackground: '#2f4a64',
  black: '#484f58',
  red: '#ff7b72',
  green: '#3fb950',
  yellow: '#d29922',
  blue: '#58a6ff',
  magenta: '#bc8cff',
  cyan: '#39c5cf',
  white: '#b1bac4',
};

export interface RemoteTerminalOptions {
  socket: LiveSocket | null;
  online: boolean;
  userId: string | null;
  /** Owner sockets name the user; a device's socket acts for its own. */
  isOwner: boolean;
  sessionId: string | null;
  target: TerminalTarget;
  /** Bumped to open a fresh shell. */
  generation: number;
  /** Applied to the next typed character (the key row's sticky Ctrl); returns whether it was used. */
  takeCtrl(): boolean;
}

/** An xterm.js screen in `element`, fitted to it; a smaller font on a phone. */
function openScreen(element: HTMLElement): { term: Terminal; fit: FitAddon } {
  const narrow = element.clientWidth < 600;
  const term = new Terminal({
    cursorBlink: true,
    fontFamily: 'ui-monospace, "SF Mono", "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace',
    fontSize: narrow ? 13 : 14,
    lineHeight: 1.15,
    scrollback: 5000,
    theme: THEME,
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(element);
  fit.fit();
  return { term, fit };
}

/** Refits the screen whenever its box changes size and calls `onResize` when the column or row count changed. */
function followSize(element: HTMLElement, term: Terminal, fit: FitAddon, onResize: () => void): ResizeObserver {
  let lastSize = `${term.cols}x${term.rows}`;
  const observer = new ResizeObserver(() => {
    if (!element.clientWidth || !element.clientHeight) return;
    fit.fit();
    const size = `${term.cols}x${term.rows}`;
    if (size === lastSize) return;
    lastSize = size;
    onResize();
  });
  observer.observe(element);
  return observer;
}

export function useRemoteTerminal(box: RefObject<HTMLDivElement | null>, options: RemoteTerminalOptions) {
  const [phase, setPhase] = useState<TerminalPhase>({ kind: 'opening' });
  const terminal = useRef<Terminal | null>(null);
  const send = useRef<(data: string) => void>(() => undefined);
  const takeCtrl = useRef(options.takeCtrl);
  takeCtrl.current = options.takeCtrl;
  const { socket, online, userId, isOwner, sessionId, target, generation } = options;

  useEffect(() => {
    const element = box.current;
    if (!element || !socket || !online || (isOwner && !userId)) return;
    const { term, fit } = openScreen(element);
    terminal.current = term;
    const owner = isOwner && userId ? { user_id: userId } : {};
    let id: string | null = null;
    let closed = false;
    setPhase({ kind: 'opening' });

    send.current = (data) => {
      if (id) socket.emit('term:input', { terminal_id: id, data });
    };
    const typed = term.onData((data) => {
      // The sticky Ctrl turns the next letter into its control code (Ctrl+C is \x03).
      if (data.length === 1 && /[a-z@[\\\]^_]/i.test(data) && takeCtrl.current()) {
        send.current(String.fromCharCode(data.toUpperCase().charCodeAt(0) & 0x1f));
        return;
      }
      send.current(data);
    });
    const onData = (payload: { terminal_id: string; data: ArrayBuffer | Uint8Array }, ack: () => void): void => {
      if (payload.terminal_id !== id) return;
      const bytes = payload.data instanceof Uint8Array ? payload.data : new Uint8Array(payload.data);
      // Ack once xterm has taken the chunk: the bridge holds the shell while we lag behind.
      term.write(bytes, ack);
    };
    const onExit = (payload: { terminal_id: string; exit_code: number | null; signal: string | null; reason: string | null }): void => {
      if (payload.terminal_id !== id) return;
      id = null;
      const how = payload.reason ?? (payload.signal ? `killed by ${payload.signal}` : `exited with code ${payload.exit_code ?? '?'}`);
      setPhase({ kind: 'ended', message: `The shell ${payload.reason ? 'ended: ' : ''}${how}.` });
    };
    socket.on('term:data', onData);
    socket.on('term:exit', onExit);

    request<TermOpened>(socket, (ack) =>
      socket.emit('term:open', { ...owner, ...(sessionId ? { session_id: sessionId } : {}), cols: term.cols, rows: term.rows, target }, ack),
    ).then(
      (opened) => {
        if (closed) {
          socket.emit('term:close', { terminal_id: opened.terminal_id });
          return;
        }
        id = opened.terminal_id;
        setPhase({ kind: 'open', opened });
        term.focus();
      },
      (error: unknown) => !closed && setPhase({ kind: 'error', detail: errorText(error) }),
    );

    const observer = followSize(element, term, fit, () => {
      if (id) socket.emit('term:resize', { terminal_id: id, cols: term.cols, rows: term.rows });
    });

    return () => {
      closed = true;
      observer.disconnect();
      typed.dispose();
      socket.off('term:data', onData);
      socket.off('term:exit', onExit);
      if (id) socket.emit('term:close', { terminal_id: id });
      send.current = () => undefined;
      terminal.current = null;
      term.dispose();
    };
  }, [box, socket, online, userId, isOwner, sessionId, target, generation]);

  return {
    phase,
    send: (data: string) => send.current(data),
    /** Arrow keys honour the application cursor mode full-screen programs switch on. */
    arrow: (direction: 'A' | 'B' | 'C' | 'D') => send.current(`${terminal.current?.modes.applicationCursorKeysMode ? '\x1bO' : '\x1b['}${direction}`),
    focus: () => terminal.current?.focus(),
  };
}
