// The GPU endpoints: snapshots, history, alert rules and fired alerts.
import { defineEndpoint } from './endpoint.js';
import {
  AlertRule,
  AlertRuleBody,
  AlertRuleDeleteQuery,
  AlertRuleDeleteResponse,
  AlertRuleParams,
  AlertRulesQuery,
  AlertRulesResponse,
  AlertsResponse,
  GpuHistoryQuery,
  GpuHistoryResponse,
  GpuQuery,
  GpuSnapshot,
} from './gpu.js';

export const gpuEndpoints = {
  snapshot: defineEndpoint({ method: 'get', path: '/api/gpu', query: GpuQuery, response: GpuSnapshot }),
  history: defineEndpoint({ method: 'get', path: '/api/gpu/history', query: GpuHistoryQuery, response: GpuHistoryResponse }),
  addRule: defineEndpoint({ method: 'post', path: '/api/gpu/alerts/rules', body: AlertRuleBody, response: AlertRule }),
  rules: defineEndpoint({ method: 'get', path: '/api/gpu/alerts/rules', query: AlertRulesQuery, response: AlertRulesResponse }),
  deleteRule: defineEndpoint({ method: 'delete', path: '/api/gpu/alerts/rules/:id', params: AlertRuleParams, query: AlertRuleDeleteQuery, response: AlertRuleDeleteResponse }),
  alerts: defineEndpoint({ method: 'get', path: '/api/gpu/alerts', query: AlertRulesQuery, response: AlertsResponse }),
};
