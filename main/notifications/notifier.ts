// Glue: shows a DesktopNotice as a native notification; a click brings the window to the notice's route.
import { Notification } from 'electron';
import type { DesktopNotice } from './desktop-notifications.js';

export function createNotifier(iconPath: string, openRoute: (route: string) => void): (notice: DesktopNotice) => void {
  return (notice) => {
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title: notice.title, body: notice.body, icon: iconPath });
    notification.on('click', () => openRoute(notice.route));
    notification.show();
  };
}
