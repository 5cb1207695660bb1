// GPU alert rules per user and session ("GPU n under X% for Y minutes", "memory on GPU n freed"), kept
// in gpu-alert-rules.json, evaluated on every good sample; fired alerts are kept in memory per user.
import crypto from 'node:crypto';
import path from 'node:path';
import type { AlertRule, AlertRuleBody, FiredAlert, Gpu } from '../contracts/gpu.js';
import { AppError } from '../core/errors.js';
import { JsonFileWriter, readJson } from '../store/atomic-json.js';

export const MAX_RULES_PER_USER = 50;
/** Fired alerts kept per user (newest first in answers). */
const MAX_FIRED_PER_USER = 200;

interface RulesFile {
  version: 1;
  rules: AlertRule[];
}

/** What a rule remembers between samples (not persisted: it restarts with the bridge). */
interface RuleProgress {
  /** utilization_below: when the current run under the threshold began. */
  belowSince: number | null;
  /** utilization_below: fired for the current run already. */
  firedThisRun: boolean;
  /** memory_freed: memory was at or over the limit, so a drop under it is a freeing. */
  armed: boolean;
  lastUsedMib: number | null;
}

export class GpuAlerts {
  private rules: AlertRule[] = [];
  private readonly progress = new Map<string, RuleProgress>();
  private readonly fired = new Map<string, FiredAlert[]>();
  private readonly file: string;
  private readonly writer: JsonFileWriter<RulesFile>;
  private loaded: Promise<void> | null = null;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'gpu-alert-rules.json');
    this.writer = new JsonFileWriter(this.file);
  }

  load(): Promise<void> {
    return (this.loaded ??= readJson<RulesFile>(this.file, { version: 1, rules: [] }).then((data) => {
      this.rules = Array.isArray(data.rules) ? data.rules : [];
    }));
  }

  async add(userId: string, body: AlertRuleBody, now = Date.now()): Promise<AlertRule> {
    await this.load();
    if (this.rules.filter((rule) => rule.user_id === userId).length >= MAX_RULES_PER_USER) {
      throw new AppError('conflict', `User '${userId}' already has ${MAX_RULES_PER_USER} GPU alert rules: delete one first`);
    }
    const rule: AlertRule = {
      id: `rule-${crypto.randomBytes(6).toString('hex')}`,
      user_id: userId,
      session_id: body.session_id,
      kind: body.kind,
      gpu_index: body.gpu_index,
      ...(body.kind === 'utilization_below' ? { threshold_pct: body.threshold_pct, minutes: body.minutes } : { below_mib: body.below_mib }),
      created_at: new Date(now).toISOString(),
      last_fired_at: null,
    };
    this.rules.push(rule);
    await this.save();
    return rule;
  }

  async list(userId: string, sessionId?: string): Promise<AlertRule[]> {
    await this.load();
    return this.rules.filter((rule) => rule.user_id === userId && (sessionId === undefined || rule.session_id === sessionId));
  }

  async remove(userId: string, id: string): Promise<AlertRule> {
    await this.load();
    const rule = this.rules.find((r) => r.id === id && r.user_id === userId);
    if (!rule) throw new AppError('not_found', `No GPU alert rule '${id}' for user '${userId}'`);
    this.rules = this.rules.filter((r) => r !== rule);
    this.progress.delete(id);
    await this.save();
    return rule;
  }

  /** Rules of one session (sync: only meaningful after load()). */
  countFor(userId: string, sessionId: string): number {
    return this.rules.reduce((n, rule) => n + (rule.user_id === userId && rule.session_id === sessionId ? 1 : 0), 0);
  }

  /** Sessions (per user) that have at least one rule. */
  sessionsWithRules(): Array<{ userId: string; sessionId: string }> {
    const seen = new Map<string, { userId: string; sessionId: string }>();
    for (const rule of this.rules) seen.set(`${rule.user_id}\0${rule.session_id}`, { userId: rule.user_id, sessionId: rule.session_id });
    return [...seen.values()];
  }

  firedFor(userId: string, sessionId?: string): FiredAlert[] {
    const all = this.fired.get(userId) ?? [];
    return all.filter((alert) => sessionId === undefined || alert.session_id === sessionId).reverse();
  }

  /** Check one good sample against the session's rules; returns the alerts that fired now. */
  evaluate(sample: { userId: string; sessionId: string; host: string; gpus: readonly Gpu[]; at: number }): FiredAlert[] {
    const firedNow: FiredAlert[] = [];
    for (const rule of this.rules) {
      if (rule.user_id !== sample.userId || rule.session_id !== sample.sessionId) continue;
      const gpu = sample.gpus.find((g) => g.index === rule.gpu_index);
      if (!gpu) continue;
      const progress = this.progressOf(rule.id);
      const message = check(rule, gpu, progress, sample.at);
      if (!message) continue;
      const alert: FiredAlert = {
        id: `alert-${crypto.randomBytes(6).toString('hex')}`,
        type: 'gpu',
        rule_id: rule.id,
        kind: rule.kind,
        user_id: rule.user_id,
        session_id: rule.session_id,
        host: sample.host,
        gpu_index: gpu.index,
        gpu_uuid: gpu.uuid,
        value: message.value,
        message: `GPU ${gpu.index}${gpu.name ? ` (${gpu.name})` : ''} on ${sample.host}: ${message.text}`,
        fired_at: new Date(sample.at).toISOString(),
      };
      rule.last_fired_at = alert.fired_at;
      const list = this.fired.get(rule.user_id) ?? [];
      list.push(alert);
      if (list.length > MAX_FIRED_PER_USER) list.splice(0, list.length - MAX_FIRED_PER_USER);
      this.fired.set(rule.user_id, list);
      firedNow.push(alert);
    }
    if (firedNow.length) void this.save().catch(() => undefined);
    return firedNow;
  }

  flush(): Promise<void> {
    return this.loaded ? this.save() : Promise.resolve();
  }

  private save(): Promise<void> {
    return this.writer.save(() => ({ version: 1, rules: this.rules }));
  }

  private progressOf(id: string): RuleProgress {
    let progress = this.progress.get(id);
    if (!progress) {
      progress = { belowSince: null, firedThisRun: false, armed: false, lastUsedMib: null };
      this.progress.set(id, progress);
    }
    return progress;
  }
}

/** One rule against one GPU reading: the alert text when it fires now, else null. A null reading tells nothing. */
function check(rule: AlertRule, gpu: Gpu, progress: RuleProgress, at: number): { text: string; value: number } | null {
  if (rule.kind === 'utilization_below') {
    const utilization = gpu.utilization_gpu_pct;
    if (utilization === null) return null;
    if (utilization >= rule.threshold_pct!) {
      progress.belowSince = null;
      progress.firedThisRun = false;
      return null;
    }
    progress.belowSince ??= at;
    if (progress.firedThisRun || at - progress.belowSince < rule.minutes! * 60_000) return null;
    progress.firedThisRun = true;
    return { text: `utilization under ${rule.threshold_pct}% for ${rule.minutes} min (now ${utilization}%): the job may have finished or died`, value: utilization };
  }
  const used = gpu.memory_used_mib;
  if (used === null) return null;
  const before = progress.lastUsedMib;
  progress.lastUsedMib = used;
  if (used >= rule.below_mib!) {
    progress.armed = true;
    return null;
  }
  if (!progress.armed) return null;
  progress.armed = false;
  return { text: `memory freed (${before ?? '?'} MiB -> ${used} MiB used, under ${rule.below_mib} MiB)`, value: used };
}
