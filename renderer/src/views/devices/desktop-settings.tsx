// "This workstation" in the desktop app: the app's version and its start-at-login setting (from the
// Electron preload through the platform seam; a browser has neither, and this card is not shown there).
import { useEffect, useState } from 'react';
import { useApp } from '../../app/app-context';
import { useAction } from '../../app/use-action';
import { Banner, Card } from '../../ui/kit';
import { errorText } from '../../ui/format';

export function DesktopSettings() {
  const { platform } = useApp();
  const [version, setVersion] = useState<string | null>(null);
  const [atLogin, setAtLogin] = useState<boolean | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const toggling = useAction();
  const startAtLogin = platform.startAtLogin;

  useEffect(() => {
    void platform.appVersion().then(setVersion, () => setVersion(null));
    startAtLogin?.get().then(setAtLogin, (e: unknown) => setLoadError(errorText(e)));
  }, [platform, startAtLogin]);

  if (platform.kind !== 'desktop') return null;
  const toggle = (enabled: boolean): Promise<void> => {
    setLoadError(null);
    return toggling.run(async () => setAtLogin(await startAtLogin!.set(enabled)));
  };
  const problem = loadError ?? toggling.error;
  return (
    <Card title="This workstation" actions={version && <span className="chip">Vigilink {version}</span>}>
      {startAtLogin && atLogin !== null && (
        <label className="check">
          <input type="checkbox" checked={atLogin} onChange={(e) => void toggle(e.target.checked)} />
          <span>Start Vigilink when I log in (it waits in the tray, so phones can reach it)</span>
        </label>
      )}
      {problem && <Banner>{problem}</Banner>}
    </Card>
  );
}
