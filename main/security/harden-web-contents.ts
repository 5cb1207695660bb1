// Glue: applies web-security.policy.ts to Electron. Every web contents this app ever creates gets the
// navigation and new-window rules (app 'web-contents-created'), the session gets the permission
// handlers and the CSP header on the bridge's responses.
import type { App, Session } from 'electron';
import type { Logger } from '../../bridge/core/logger.js';
import {
  contentSecurityPolicy,
  isSameOrigin,
  navigationAllowed,
  permissionAllowed,
  windowOpenDecision,
  withContentSecurityPolicy,
} from './web-security.policy.js';

export function hardenSession(session: Session, origin: string): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(permissionAllowed(permission, details.requestingUrl, origin)),
  );
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permissionAllowed(permission, requestingOrigin, origin));
  const csp = contentSecurityPolicy(origin);
  // Every response is seen and the origin compared here (not with a URL match pattern), so the rule
  // is the same tested isSameOrigin as everywhere else.
  session.webRequest.onHeadersReceived((details, callback) =>
    callback(isSameOrigin(details.url, origin) ? { responseHeaders: withContentSecurityPolicy(details.responseHeaders ?? {}, csp) } : {}),
  );
}

export function hardenAllWebContents(app: App, origin: string, openExternal: (url: string) => void, logger: Logger): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      const decision = windowOpenDecision(url, origin);
      if (decision.openExternally) openExternal(url);
      return { action: decision.action };
    });
    const guard = (event: { url: string; preventDefault(): void }): void => {
      if (navigationAllowed(event.url, origin)) return;
      event.preventDefault();
      logger.warn({ url: event.url }, 'navigation away from the bridge blocked');
    };
    contents.on('will-navigate', guard);
    contents.on('will-frame-navigate', guard);
    contents.on('will-redirect', guard);
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}
