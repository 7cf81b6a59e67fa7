export interface DeadLetterFilter {
  topic: string;
  type: string;
  error: string;
  showRedriven: boolean;
}

export const emptyFilter: DeadLetterFilter = { topic: '', type: '', error: '', showRedriven: false };

/** The list query for a filter: only the fields set, as the gateway's `GET /v1/admin/dead-letters` reads them. */
export function listQuery(filter: DeadLetterFilter): string {
  const query = new URLSearchParams();
  if (filter.topic) query.set('topic', filter.topic);
  if (filter.type) query.set('type', filter.type);
  if (filter.error.trim()) query.set('error', filter.error.trim());
  if (filter.showRedriven) query.set('redriven', 'true');
  return query.toString();
}

/** The body of a redrive by filter: the same selection the list shows, never already redriven ones. */
export function redriveByFilter(filter: DeadLetterFilter, dryRun: boolean) {
  const selection: Record<string, string> = {};
  if (filter.topic) selection.topic = filter.topic;
  if (filter.type) selection.type = filter.type;
  if (filter.error.trim()) selection.error = filter.error.trim();
  return { filter: selection, dryRun };
}
