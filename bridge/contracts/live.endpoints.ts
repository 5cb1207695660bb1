// The owner's overview endpoint (the same document the `overview` socket event carries).
import { defineEndpoint } from './endpoint.js';
import { Overview } from './overview.js';

export const liveEndpoints = {
  overview: defineEndpoint({ method: 'get', path: '/api/overview', response: Overview }),
};
