// The audit recipes match real routes (a renamed route would silently stop being audited otherwise);
// routes are built with stubbed services, which these checks never call.
import { describe, expect, it } from 'vitest';
import { AUDIT_RECIPES } from '../../../bridge/audit/audited-routes.js';
import { commandRoutes } from '../../../bridge/terminal/command.routes.js';
import { sshRoutes } from '../../../bridge/ssh/ssh.routes.js';
import { fileChangesRoutes } from '../../../bridge/files/file-changes.routes.js';
import { fileUploadsRoutes } from '../../../bridge/files/file-uploads.routes.js';

describe('audit recipes (stubbed services)', () => {
  it('each names an existing route', () => {
    const routes = [...sshRoutes(null as never, null as never), ...commandRoutes(null as never), ...fileChangesRoutes(null as never), ...fileUploadsRoutes(null as never)].map(
      (r) => `${r.method} ${r.path}`,
    );
    for (const key of Object.keys(AUDIT_RECIPES)) expect(routes).toContain(key);
  });

  it('keep a command’s text and exit code, never its output', () => {
    const details = AUDIT_RECIPES['post /api/terminal/bastion/run']!.details({
      query: {},
      body: { command: 'nvidia-smi', timeout: 30 },
      result: { stdout: 'secret output', stderr: '', exit_code: 0, timed_out: false, container_id: null },
    });
    expect(details).toEqual({ command: 'nvidia-smi', session_id: null, exit_code: 0, timed_out: false, container_id: null });
  });
});
