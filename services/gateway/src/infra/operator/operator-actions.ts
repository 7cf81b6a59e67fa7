import type pg from 'pg';

export interface OperatorAction {
  actor: string;
  action: string;
  target: string;
  dryRun?: boolean;
  outcome: string;
  detail?: unknown;
}

/** The audit record of the console's actions (table operator_actions). */
export class OperatorActions {
  constructor(private readonly pool: pg.Pool) {}

  async record(action: OperatorAction): Promise<void> {
    await this.pool.query('INSERT INTO operator_actions (actor, action, target, dry_run, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6)', [
      action.actor,
      action.action,
      action.target,
      action.dryRun ?? false,
      action.outcome,
      JSON.stringify(action.detail ?? {}),
    ]);
  }

  async recent(limit: number, target?: string) {
    const { rows } = await this.pool.query<{ id: string; at: Date; actor: string; action: string; target: string; dry_run: boolean; outcome: string; detail: unknown }>(
      'SELECT * FROM operator_actions WHERE ($2::text IS NULL OR target = $2) ORDER BY at DESC, id DESC LIMIT $1',
      [limit, target ?? null],
    );
    return rows.map((row) => ({ id: Number(row.id), at: row.at.toISOString(), actor: row.actor, action: row.action, target: row.target, dryRun: row.dry_run, outcome: row.outcome, detail: row.detail }));
  }
}
