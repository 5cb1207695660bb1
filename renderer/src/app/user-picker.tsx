// The owner's "acting for" picker: the users the bridge knows (from the live overview) and the current
// one, plus "Add a user…" for someone the bridge has not seen yet.
import { useState, type FormEvent } from 'react';
import { isUserId } from '../api/credentials';
import { Icon } from '../ui/icons';
import { useApp } from './app-context';

const ADD = '\u0000add';

export function knownUsers(overviewUsers: readonly string[], current: string | null): string[] {
  return [...new Set([...overviewUsers, ...(current ? [current] : [])])].sort((a, b) => a.localeCompare(b));
}

function AddUser({ onDone }: { onDone(): void }) {
  const { setOwnerUser } = useApp();
  const [value, setValue] = useState('');
  const valid = isUserId(value.trim());
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!valid) return;
    setOwnerUser(value.trim());
    onDone();
  };
  return (
    <form className="user-switch editing" onSubmit={submit}>
      <input
        aria-label="New user id"
        placeholder="user id"
        value={value}
        autoFocus
        autoCapitalize="off"
        spellCheck={false}
        aria-invalid={value !== '' && !valid}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && onDone()}
      />
      <button type="submit" className="icon-btn" aria-label="Act for this user" disabled={!valid}>
        <Icon name="plus" size={16} />
      </button>
      <button type="button" className="icon-btn" aria-label="Cancel" onClick={onDone}>
        <Icon name="close" size={16} />
      </button>
    </form>
  );
}

export function UserPicker() {
  const { userId, overview, setOwnerUser } = useApp();
  const [adding, setAdding] = useState(false);
  if (adding) return <AddUser onDone={() => setAdding(false)} />;
  const users = knownUsers(overview?.users.map((u) => u.user_id) ?? [], userId);
  return (
    <label className="user-switch" title="The owner can act for any user: choose who">
      <Icon name="user" size={16} />
      <select
        aria-label="Act for user"
        value={userId ?? ''}
        onChange={(e) => (e.target.value === ADD ? setAdding(true) : setOwnerUser(e.target.value))}
      >
        {users.map((user) => (
          <option key={user} value={user}>
            {user}
          </option>
        ))}
        <option value={ADD}>Add a user…</option>
      </select>
    </label>
  );
}
