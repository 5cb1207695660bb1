// The bastion command endpoint: one command run over a user's SSH session.
import { defineEndpoint } from './endpoint.js';
import { RunCommandBody, RunCommandResponse } from './ssh.js';

export const terminalEndpoints = {
  runBastionCommand: defineEndpoint({ method: 'post', path: '/api/terminal/bastion/run', body: RunCommandBody, response: RunCommandResponse }),
};
