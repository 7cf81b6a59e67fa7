/** A message a consumer parked on `<topic>.dlq`, as the console shows it. */
export interface DeadLetter {
  /** `<dlq topic>/<partition>/<offset>`: where it sits, unique and stable. */
  id: string;
  topic: string;
  sourceTopic: string;
  consumer: string;
  attempts: number;
  error: string;
  at: string;
  messageId: string | null;
  type: string | null;
  orderId: string | null;
  /** The message as it was published (JSON text). */
  message: string;
  redrivenAt: string | null;
}

export interface DeadLetterFilter {
  topic?: string | undefined;
  type?: string | undefined;
  /** Case-insensitive substring of the failure reason. */
  error?: string | undefined;
  orderId?: string | undefined;
  /** Include those already redriven. */
  redriven?: boolean | undefined;
}

export function matches(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  if (filter.topic && letter.sourceTopic !== filter.topic && letter.topic !== filter.topic) return false;
  if (filter.type && letter.type !== filter.type) return false;
  if (filter.error && !letter.error.toLowerCase().includes(filter.error.toLowerCase())) return false;
  if (filter.orderId && letter.orderId !== filter.orderId) return false;
  if (!filter.redriven && letter.redrivenAt !== null) return false;
  return true;
}

/** What a redrive selects: the listed ids, or every match of the filter; never both. */
export type RedriveSelection = { ids: string[] } | { filter: DeadLetterFilter };

export function select(letters: Iterable<DeadLetter>, selection: RedriveSelection): DeadLetter[] {
  const all = [...letters];
  if ('ids' in selection) {
    const wanted = new Set(selection.ids);
    return all.filter((letter) => wanted.has(letter.id) && letter.redrivenAt === null);
  }
  return all.filter((letter) => matches(letter, { ...selection.filter, redriven: false }));
}

/** The message's identity, read leniently: a dead letter may be one because it does not parse. */
export function describeMessage(value: string): Pick<DeadLetter, 'messageId' | 'type' | 'orderId'> {
  try {
    const parsed = JSON.parse(value) as { messageId?: unknown; type?: unknown; data?: { orderId?: unknown } };
    const text = (field: unknown) => (typeof field === 'string' ? field : null);
    return { messageId: text(parsed.messageId), type: text(parsed.type), orderId: text(parsed.data?.orderId) };
  } catch {
    return { messageId: null, type: null, orderId: null };
  }
}
