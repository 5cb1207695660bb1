// HTTP adapter for one-shot commands (the earlier backend's /api/terminal/bastion/run).
import { terminalEndpoints } from '../contracts/terminal.endpoints.js';
import { defineRoute, type AnyRoute } from '../transport/route.js';
import type { CommandService } from './command.service.js';

export function commandRoutes(commands: CommandService): AnyRoute[] {
  return [
    defineRoute(terminalEndpoints.runBastionCommand, {
      tag: 'terminal',
      summary: 'Run a command on a new channel of an existing session (or in the VPN container)',
      description:
        'Without session_id: the VPN container if the user has one, else session `default`, else the most recent active session. ' +
        'A timeout answers 200 with timed_out: true and the output so far.',
      errors: [403, 404, 502],
      handler: async ({ body, userId, principal, log, signal }) => {
        const outcome = await commands.run({
          log,
          signal,
          byOwner: principal?.kind === 'owner',
          userId: userId(body.user_id),
          command: body.command,
          timeoutMs: body.timeout * 1000,
          sessionId: body.session_id,
        });
        return {
          stdout: outcome.stdout.toString('utf8'),
          stderr: outcome.stderr.toString('utf8'),
          exit_code: outcome.exitCode,
          container_id: outcome.containerId,
          timed_out: outcome.timedOut,
          truncated: outcome.truncated,
          signal: outcome.signal,
        };
      },
    }),
  ];
}
