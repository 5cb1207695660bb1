// The port-forward endpoints: open, list, link and close a forward to a port on a session's host.
import { defineEndpoint } from './endpoint.js';
import { ForwardBody, ForwardClosed, ForwardLink, ForwardOpened, ForwardParams, ForwardsList, ForwardsQuery } from './forwards.js';

export const forwardsEndpoints = {
  open: defineEndpoint({ method: 'post', path: '/api/forwards', body: ForwardBody, response: ForwardOpened }),
  list: defineEndpoint({ method: 'get', path: '/api/forwards', query: ForwardsQuery, response: ForwardsList }),
  link: defineEndpoint({ method: 'post', path: '/api/forwards/:id/link', params: ForwardParams, query: ForwardsQuery, response: ForwardLink }),
  close: defineEndpoint({ method: 'delete', path: '/api/forwards/:id', params: ForwardParams, query: ForwardsQuery, response: ForwardClosed }),
};
