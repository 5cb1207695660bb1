// The preload (main/preload/preload.cts), compiled as tsc compiles it and run the way Electron runs a
// sandboxed preload (a function of require, process, exports, module) in a fresh VM context, with a stubbed
// `electron` (contextBridge and ipcRenderer): it exposes window.vigilink and nothing else, each method
// one fixed invoke on a channel of IpcChannel, and it requires nothing but 'electron'.
import path from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { IpcChannel } from '../../../main/ipc/ipc-channels.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SOURCE = path.join(ROOT, 'main/preload/preload.cts');

/** The preload exactly as `tsc -p main/tsconfig.json` emits it (dist/main/preload/preload.cjs), kept in memory. */
const compiledPreload = (() => {
  let cached: string | null = null;
  return (): string => {
    if (cached !== null) return cached;
    const host = {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d: ts.Diagnostic) => {
        throw new Error(String(d.messageText));
      },
    };
    const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'main/tsconfig.json'), {}, host);
    if (!config) throw new Error('main/tsconfig.json could not be read');
    const program = ts.createProgram([SOURCE], { ...config.options, sourceMap: false, declaration: false });
    let output = '';
    const written: string[] = [];
    const result = program.emit(program.getSourceFile(SOURCE), (file, text) => {
      written.push(path.relative(ROOT, file));
      output = text;
    });
    expect(result.diagnostics).toEqual([]);
    // main.ts loads the preload from here.
    expect(written).toEqual([path.join('dist', 'main', 'preload', 'preload.cjs')]);
    cached = output;
    return output;
  };
})();

/** Run the preload like Electron's sandboxed renderer does, with stubbed electron modules. */
function runPreload(processType: string | undefined) {
  const exposed = new Map<string, unknown>();
  const invokes: { channel: string; args: unknown[] }[] = [];
  const required: string[] = [];
  const ipcRenderer = {
    invoke: async (channel: string, ...args: unknown[]) => {
      invokes.push({ channel, args });
      return `answer:${channel}`;
    },
    send: () => {
      throw new Error('the preload must not use send');
    },
    on: () => {
      throw new Error('the preload must not listen');
    },
  };
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void exposed.set(key, api) },
    ipcRenderer,
  };
  const sandboxRequire = (name: string): unknown => {
    required.push(name);
    if (name === 'electron') return electron;
    throw new Error(`module not found in the sandbox: ${name}`);
  };
  const module = { exports: {} as unknown };
  // Electron's sandboxed preload wrapper passes (require, process, exports, module, ...exposed globals).
  const wrapper = `(function (require, process, exports, module) {\n${compiledPreload()}\n})`;
  const run = vm.runInNewContext(wrapper, {}, { filename: 'preload.cjs' }) as (...args: unknown[]) => void;
  run(sandboxRequire, { type: processType }, module.exports, module);
  return { exposed, invokes, required, ipcRenderer, module };
}

describe('preload (run with stubbed contextBridge and ipcRenderer)', () => {
  it('exposes exactly one key, vigilink, with exactly the typed methods, frozen', () => {
    const { exposed, required, module } = runPreload('renderer');
    expect([...exposed.keys()]).toEqual(['vigilink']);
    const api = exposed.get('vigilink') as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['appVersion', 'getOpenAtLogin', 'getOwnerToken', 'setOpenAtLogin']);
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
    // A sandboxed preload can require only 'electron' (and some built-ins): ours asks for nothing else.
    expect(required).toEqual(['electron']);
    expect(Object.keys(module.exports as object)).toEqual([]);
  });

  it('does nothing outside a renderer process', () => {
    const { exposed, required } = runPreload(undefined);
    expect(exposed.size).toBe(0);
    expect(required).toEqual([]);
  });

  it('calls each IpcChannel through its method and passes the answer back', async () => {
    const { exposed, invokes } = runPreload('renderer');
    const api = exposed.get('vigilink') as Record<string, (...args: unknown[]) => Promise<unknown>>;
    await expect(api.getOwnerToken!()).resolves.toBe(`answer:${IpcChannel.getOwnerToken}`);
    await expect(api.appVersion!()).resolves.toBe(`answer:${IpcChannel.appVersion}`);
    await expect(api.getOpenAtLogin!()).resolves.toBe(`answer:${IpcChannel.getOpenAtLogin}`);
    await expect(api.setOpenAtLogin!(false)).resolves.toBe(`answer:${IpcChannel.setOpenAtLogin}`);
    expect(invokes).toEqual([
      { channel: IpcChannel.getOwnerToken, args: [] },
      { channel: IpcChannel.appVersion, args: [] },
      { channel: IpcChannel.getOpenAtLogin, args: [] },
      { channel: IpcChannel.setOpenAtLogin, args: [false] },
    ]);
  });

  it('never lets the page pick a channel, add arguments or reach ipcRenderer', async () => {
    const { exposed, invokes, ipcRenderer } = runPreload('renderer');
    const api = exposed.get('vigilink') as Record<string, (...args: unknown[]) => Promise<unknown>>;
    expect(Object.values(api)).not.toContain(ipcRenderer);
    expect(Object.values(api)).not.toContain(ipcRenderer.invoke);
    await api.getOwnerToken!('vigilink:set-open-at-login', true);
    await api.setOpenAtLogin!(true, 'extra');
    expect(invokes).toEqual([
      { channel: IpcChannel.getOwnerToken, args: [] },
      { channel: IpcChannel.setOpenAtLogin, args: [true] },
    ]);
  });
});
