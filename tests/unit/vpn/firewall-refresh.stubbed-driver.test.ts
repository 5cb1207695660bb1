// FirewallRefresher with a stub driver (records which containers' rules were set): the older containers
// are set again when a new one appears, nothing happens on other changes, and all of them after adoption.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../bridge/core/logger.js';
import { FirewallRefresher } from '../../../bridge/vpn/firewall-refresh.js';

function setup() {
  const containers = new Map<string, string>();
  const set: string[] = [];
  const driver = {
    firewall: async (id: string) => {
      if (id === 'broken') throw new Error('container gone');
      set.push(id);
    },
  };
  const refresher = new FirewallRefresher({ containers: () => containers }, driver, createLogger({ level: 'silent' }));
  return { containers, set, refresher };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('FirewallRefresher', () => {
  it('sets the older containers again when a new one appears, and only then', async () => {
    const { containers, set, refresher } = setup();
    containers.set('alice', 'c1');
    refresher.check();
    await settle();
    expect(set).toEqual([]);
    containers.set('bob', 'c2');
    refresher.check();
    await settle();
    expect(set).toEqual(['c1']);
    refresher.check();
    containers.delete('alice');
    refresher.check();
    await settle();
    expect(set).toEqual(['c1']);
  });

  it('sets every container after adoption, and a failing one does not stop the others', async () => {
    const { containers, set, refresher } = setup();
    containers.set('alice', 'broken');
    containers.set('bob', 'c2');
    await refresher.refreshAll();
    expect(set).toEqual(['c2']);
  });
});
