// Terminal: an interactive shell on one of the user's SSH sessions (or in the VPN container), fitted to
// the screen, with the phone's missing keys in a row under it.
import { useRef, useState } from 'react';
import '@xterm/xterm/css/xterm.css';
import type { SshSessionListing } from '../../../../bridge/contracts/ssh';
import type { TerminalTarget } from '../../../../bridge/contracts/terminal';
import { useApp } from '../../app/app-context';
import { href, navigate, useLocation } from '../../app/router';
import { NoSession, useSelectedSession } from '../../app/session-picker';
import { Badge, Banner, Button, Loading } from '../../ui/kit';
import { KeyRow } from './terminal-keys';
import { useRemoteTerminal, type TerminalPhase } from './use-remote-terminal';
import './terminal.css';

const CONTAINER = 'vpn-container';

interface TerminalBarProps {
  sessions: readonly SshSessionListing[];
  choice: string;
  hasContainer: boolean;
  phase: TerminalPhase;
  online: boolean;
  onNewShell(): void;
}

function TerminalBar({ sessions, choice, hasContainer, phase, online, onNewShell }: TerminalBarProps) {
  return (
    <header className="terminal-bar">
      <select
        aria-label="Where the shell runs"
        value={choice}
        onChange={(e) =>
          navigate(href('/terminal', e.target.value === CONTAINER ? { target: 'container' } : { session: e.target.value }))
        }
      >
        {sessions.map((s) => (
          <option key={s.session_id} value={s.session_id}>
            {s.session_id} — {s.username}@{s.hostname}
          </option>
        ))}
        {hasContainer && <option value={CONTAINER}>VPN container</option>}
      </select>
      <div className="terminal-status">
        {phase.kind === 'open' && (
          <Badge tone="ok">
            {phase.opened.cols}×{phase.opened.rows}
          </Badge>
        )}
        {phase.kind === 'opening' && <Badge tone="info">{online ? 'Opening…' : 'Reconnecting…'}</Badge>}
        {(phase.kind === 'ended' || phase.kind === 'error') && (
          <Button variant="primary" icon="refresh" onClick={onNewShell}>
            New shell
          </Button>
        )}
      </div>
    </header>
  );
}

export function TerminalView() {
  const { socket, status, userId, isOwner, state } = useApp();
  const { query } = useLocation();
  const { sessions, selected, loading } = useSelectedSession();
  const box = useRef<HTMLDivElement>(null);
  const [ctrl, setCtrl] = useState(false);
  const ctrlRef = useRef(false);
  ctrlRef.current = ctrl;
  const [generation, setGeneration] = useState(0);
  const hasContainer = Boolean(state?.vpn?.container_id);
  const target: TerminalTarget = query.get('target') === 'container' && hasContainer ? 'container' : 'ssh';
  const ready = !loading && (target === 'container' || selected !== null);

  const terminal = useRemoteTerminal(box, {
    socket,
    online: status === 'online' && ready,
    userId,
    isOwner,
    sessionId: target === 'ssh' ? (selected?.session_id ?? null) : null,
    target,
    generation,
    takeCtrl: () => {
      if (!ctrlRef.current) return false;
      setCtrl(false);
      return true;
    },
  });

  if (loading) return <Loading />;
  if (!ready) {
    return (
      <div className="page">
        <header className="page-header">
          <h1>Terminal</h1>
        </header>
        <NoSession what="Terminals" missing={query.get('session')} />
      </div>
    );
  }

  const choice = target === 'container' ? CONTAINER : (selected?.session_id ?? '');
  const { phase } = terminal;
  return (
    <div className="page terminal-page">
      <TerminalBar sessions={sessions} choice={choice} hasContainer={hasContainer} phase={phase} online={status === 'online'} onNewShell={() => setGeneration((g) => g + 1)} />
      {phase.kind === 'error' && <Banner title="Could not open a shell">{phase.detail}</Banner>}
      {phase.kind === 'ended' && <Banner kind="info">{phase.message}</Banner>}
      <div className="terminal-frame" onClick={terminal.focus}>
        <div className="terminal-box" ref={box} data-testid="terminal" />
      </div>
      <KeyRow ctrl={ctrl} onToggleCtrl={() => setCtrl((c) => !c)} onSend={terminal.send} onArrow={terminal.arrow} />
    </div>
  );
}
