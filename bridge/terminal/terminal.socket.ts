// socket.io adapter for interactive terminals: term:open/input/resize/close in, term:data/exit out.
// A terminal belongs to the socket that opened it and closes when that socket goes.
import type { AuditLog, AuditSource } from '../audit/audit-log.js';
import { TermClosePayload, TermInputPayload, TermOpenPayload, TermResizePayload, type TermOpened } from '../contracts/terminal.js';
import { AppError } from '../core/errors.js';
import { handleEvent, type SocketContext, type SocketModule } from '../transport/socket-server.js';
import type { PtyTerminal, PtyTerminalService } from './pty-terminals.service.js';
import { AckWindow, TERMINAL_HIGH_WATER_BYTES, TERMINAL_LOW_WATER_BYTES } from './terminal-flow.js';

export function terminalSocket(terminals: PtyTerminalService, audit: AuditLog): SocketModule {
  return (ctx: SocketContext) => {
    const { socket } = ctx;
    const source: AuditSource = { principal: ctx.principal, clientAddress: socket.data.clientAddress };

    /** The caller's own terminal: another user's is 403 (as for every user-scoped call), another socket's too. */
    const ownTerminal = (terminalId: string): PtyTerminal => {
      const terminal = terminals.get(terminalId);
      if (!terminal) throw new AppError('not_found', `No terminal '${terminalId}' (closed, or never opened)`);
      ctx.userId(terminal.userId);
      if (terminal.ownerKey !== socket.id) throw new AppError('forbidden', `Terminal '${terminalId}' belongs to another connection`);
      return terminal;
    };

    socket.on(
      'term:open',
      handleEvent(ctx, TermOpenPayload, async (payload): Promise<TermOpened> => {
        const userId = ctx.userId(payload.user_id);
        const terminal = await terminals.open({
          userId,
          sessionId: payload.session_id,
          target: payload.target,
          cols: payload.cols,
          rows: payload.rows,
          ownerKey: socket.id,
        });
        if (socket.disconnected) {
          terminal.close('the connection closed while the terminal opened');
          throw new AppError('unavailable', 'The connection closed while the terminal opened');
        }
        const details = { terminal_id: terminal.id, target: terminal.target, session_id: terminal.sessionId };
        // Keystrokes are not audited: they include passwords typed at prompts.
        audit.record({ event: 'terminal.open', userId, source, details });
        const flow = new AckWindow({
          highWaterBytes: TERMINAL_HIGH_WATER_BYTES,
          lowWaterBytes: TERMINAL_LOW_WATER_BYTES,
          pause: () => terminal.pause(),
          resume: () => terminal.resume(),
        });
        // Output starts after the ack has gone out, so the client knows the id before the first chunk.
        setImmediate(() =>
          terminal.attach({
            data: (chunk) => socket.emit('term:data', { terminal_id: terminal.id, data: chunk }, flow.sent(chunk.length)),
            exit: (exit) => {
              socket.emit('term:exit', { terminal_id: terminal.id, exit_code: exit.code, signal: exit.signal, reason: exit.reason });
              audit.record({ event: 'terminal.close', userId, source, details: { ...details, exit_code: exit.code, reason: exit.reason } });
            },
          }),
        );
        return { terminal_id: terminal.id, user_id: userId, session_id: terminal.sessionId, target: terminal.target, cols: payload.cols, rows: payload.rows };
      }),
    );

    socket.on(
      'term:input',
      handleEvent(ctx, TermInputPayload, ({ terminal_id, data }) => {
        ownTerminal(terminal_id).write(data);
        return null;
      }),
    );
    socket.on(
      'term:resize',
      handleEvent(ctx, TermResizePayload, ({ terminal_id, cols, rows }) => {
        ownTerminal(terminal_id).resize(cols, rows);
        return null;
      }),
    );
    socket.on(
      'term:close',
      handleEvent(ctx, TermClosePayload, ({ terminal_id }) => {
        ownTerminal(terminal_id).close('closed by the client');
        return null;
      }),
    );
    socket.on('disconnect', () => terminals.closeOwnedBy(socket.id, 'the connection closed'));
  };
}
