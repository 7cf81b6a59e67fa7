/** Turns a service's JSON log line into one readable line: `12:00:01 order    info  message key=value`. */
const colours: Record<string, string> = { error: '\x1b[31m', fatal: '\x1b[31m', warn: '\x1b[33m', info: '\x1b[36m', debug: '\x1b[90m' };
const reset = '\x1b[0m';
const useColour = process.stdout.isTTY === true;
const skip = new Set(['level', 'time', 'timestamp', 'msg', 'message', 'service', 'name', 'pid', 'hostname']);

export function formatLogLine(service: string, line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
    if (typeof record !== 'object' || record === null) throw new Error('not an object');
  } catch {
    return `${clock()} ${service.padEnd(12)} ${line}`;
  }
  const level = String(record.level ?? 'info').toLowerCase();
  const message = String(record.msg ?? record.message ?? '');
  const extras = Object.entries(record)
    .filter(([key]) => !skip.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ')
    .slice(0, 400);
  const tag = useColour ? `${colours[level] ?? ''}${level.padEnd(5)}${reset}` : level.padEnd(5);
  return `${clock()} ${service.padEnd(12)} ${tag} ${message}${extras ? ` ${extras}` : ''}`;
}

const clock = () => new Date().toISOString().slice(11, 19);
