// The SSH connect form: host, user, password or private key, optional jump host, session name.
import { useState, type FormEvent } from 'react';
import type { SshConnectBody, SshSessionListing } from '../../../../bridge/contracts/ssh';
import { endpoints } from '../../../../bridge/contracts/endpoints';
import { useApp } from '../../app/app-context';
import { useAction } from '../../app/use-action';
import { Banner, Button, Field, Segmented, TextArea } from '../../ui/kit';

type AuthMethod = 'password' | 'key';

interface Credentials {
  method: AuthMethod;
  password: string;
  privateKey: string;
  passphrase: string;
}

const emptyCredentials: Credentials = { method: 'password', password: '', privateKey: '', passphrase: '' };

export interface ConnectPrefill {
  sessionId: string;
  hostname: string;
  port: number;
  username: string;
}

function credentialBody(c: Credentials): Pick<SshConnectBody, 'password' | 'private_key' | 'passphrase'> {
  if (c.method === 'password') return { password: c.password };
  return { private_key: c.privateKey, ...(c.passphrase ? { passphrase: c.passphrase } : {}) };
}

function CredentialFields({ value, onChange, prefix }: { value: Credentials; onChange(next: Credentials): void; prefix: string }) {
  const label = (what: string): string => (prefix ? `${prefix} ${what}` : what.charAt(0).toUpperCase() + what.slice(1));
  const loadKeyFile = async (file: File | undefined): Promise<void> => {
    if (file) onChange({ ...value, privateKey: await file.text() });
  };
  return (
    <>
      <Segmented
        label={label('authentication')}
        value={value.method}
        options={[
          { value: 'password', label: 'Password' },
          { value: 'key', label: 'Private key' },
        ]}
        onChange={(method) => onChange({ ...value, method })}
      />
      {value.method === 'password' ? (
        <Field label={label('password')} type="password" autoComplete="current-password" required value={value.password} onChange={(e) => onChange({ ...value, password: e.target.value })} />
      ) : (
        <>
          <TextArea
            label={label('private key')}
            required
            rows={4}
            spellCheck={false}
            placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
            value={value.privateKey}
            onChange={(e) => onChange({ ...value, privateKey: e.target.value })}
            hint={
              <label className="file-pick">
                or load a key file
                <input type="file" onChange={(e) => void loadKeyFile(e.target.files?.[0])} />
              </label>
            }
          />
          <Field label={label('key passphrase (if any)')} type="password" autoComplete="off" value={value.passphrase} onChange={(e) => onChange({ ...value, passphrase: e.target.value })} />
        </>
      )}
    </>
  );
}

interface JumpHost {
  host: string;
  port: string;
  user: string;
  auth: Credentials;
}

const emptyJump: JumpHost = { host: '', port: '22', user: '', auth: emptyCredentials };

function JumpFields({ value, onChange }: { value: JumpHost; onChange(next: JumpHost): void }) {
  return (
    <fieldset className="subform">
      <legend>Jump host</legend>
      <div className="form-row">
        <Field label="Jump host" required autoCapitalize="off" spellCheck={false} value={value.host} onChange={(e) => onChange({ ...value, host: e.target.value })} />
        <Field label="Port" className="port" inputMode="numeric" value={value.port} onChange={(e) => onChange({ ...value, port: e.target.value })} />
      </div>
      <Field label="Jump username" required autoCapitalize="off" spellCheck={false} value={value.user} onChange={(e) => onChange({ ...value, user: e.target.value })} />
      <CredentialFields prefix="Jump" value={value.auth} onChange={(auth) => onChange({ ...value, auth })} />
    </fieldset>
  );
}

/** A session name not in use yet: "default" first, then session-2, session-3... */
function freeSessionId(taken: ReadonlySet<string>): string {
  if (!taken.has('default')) return 'default';
  for (let n = 2; ; n += 1) if (!taken.has(`session-${n}`)) return `session-${n}`;
}

export function ConnectForm({ sessions, prefill }: { sessions: readonly SshSessionListing[]; prefill: ConnectPrefill | null }) {
  const { api } = useApp();
  const taken = new Set(sessions.map((s) => s.session_id));
  const [sessionId, setSessionId] = useState(prefill?.sessionId ?? freeSessionId(taken));
  const [hostname, setHostname] = useState(prefill?.hostname ?? '');
  const [port, setPort] = useState(String(prefill?.port ?? 22));
  const [username, setUsername] = useState(prefill?.username ?? '');
  const [auth, setAuth] = useState<Credentials>(emptyCredentials);
  const [useJump, setUseJump] = useState(false);
  const [jump, setJump] = useState<JumpHost>(emptyJump);
  const { busy, error, clearError, run } = useAction();
  const [done, setDone] = useState<string | null>(null);

  const submit = (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setDone(null);
    return run(async () => {
      const body = {
        hostname: hostname.trim(),
        port: Number(port) || 22,
        username: username.trim(),
        ...credentialBody(auth),
        ...(useJump ? { jump: { hostname: jump.host.trim(), port: Number(jump.port) || 22, username: jump.user.trim(), ...credentialBody(jump.auth) } } : {}),
      };
      const answer = await api.call(endpoints.ssh.connect, { body, query: { session_id: sessionId.trim() || 'default' } });
      setDone(`Connected “${answer.session_id}” to ${answer.hostname}. Host key ${answer.host_key_fingerprint}.`);
      // Secrets leave the form as soon as they are used.
      setAuth((a) => ({ ...a, password: '', passphrase: '' }));
      setJump((j) => ({ ...j, auth: { ...j.auth, password: '', passphrase: '' } }));
      setSessionId(freeSessionId(new Set([...taken, answer.session_id])));
    });
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)} aria-label="Connect an SSH session">
      {error && (
        <Banner title="Could not connect" onDismiss={clearError}>
          {error}
        </Banner>
      )}
      {done && (
        <Banner kind="success" onDismiss={() => setDone(null)}>
          {done}
        </Banner>
      )}
      <div className="form-row">
        <Field label="Host" className="grow" required placeholder="login.cluster.example.edu" autoCapitalize="off" autoCorrect="off" spellCheck={false} value={hostname} onChange={(e) => setHostname(e.target.value)} />
        <Field label="Port" className="port" inputMode="numeric" pattern="[0-9]*" value={port} onChange={(e) => setPort(e.target.value)} />
      </div>
      <div className="form-row">
        <Field label="Username" required autoCapitalize="off" autoCorrect="off" spellCheck={false} autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} />
        <Field label="Session name" required autoCapitalize="off" spellCheck={false} value={sessionId} onChange={(e) => setSessionId(e.target.value)} />
      </div>
      <CredentialFields prefix="" value={auth} onChange={setAuth} />
      <label className="check">
        <input type="checkbox" checked={useJump} onChange={(e) => setUseJump(e.target.checked)} />
        <span>Go through a jump host</span>
      </label>
      {useJump && <JumpFields value={jump} onChange={setJump} />}
      <div className="form-actions">
        <Button type="submit" variant="primary" icon="link" busy={busy}>
          {busy ? 'Connecting…' : 'Connect'}
        </Button>
      </div>
    </form>
  );
}
