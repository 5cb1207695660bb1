// The error box's words when the desktop app cannot start (main/startup-error.ts), with real errors:
// a port another server holds, and a bad setting parsed by the real loadConfig.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../bridge/config/config.js';
import { startupFailureMessage } from '../../../main/startup-error.js';

describe('startupFailureMessage', () => {
  it('says the port is taken and how to pick another', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as net.AddressInfo).port;
    const error = await new Promise<Error>((resolve) => {
      const second = net.createServer();
      second.once('error', resolve);
      second.listen(port, '127.0.0.1');
    });
    holder.close();
    const message = startupFailureMessage(error, port);
    expect(message).toContain(`Port ${port} is in use`);
    expect(message).toContain('VIGILINK_PORT=<port>');
  });

  it('names the bad variable', () => {
    let error: unknown;
    try {
      loadConfig({ VIGILINK_PORT: 'eighty' });
    } catch (e) {
      error = e;
    }
    expect(startupFailureMessage(error, 8000)).toMatch(/VIGILINK_PORT/);
    expect(startupFailureMessage(error, 8000)).toContain("README's Configuration");
  });

  it('passes any other error through as its message', () => {
    expect(startupFailureMessage(new Error('disk full'), 8000)).toBe('disk full');
    expect(startupFailureMessage('odd', 8000)).toBe('odd');
  });
});
