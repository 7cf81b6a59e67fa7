/**
 * Which process listens on a TCP port of this machine, and on which ports a
 * process listens, read from /proc (no tool spawned): the capacity bench finds
 * the processes it measures by their ports, the runner the Redis it raises.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export const allPids = () => readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);

/** Socket inodes listening on `port` (IPv4 or IPv6, any address). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns.length < 10 || columns[3] !== '0A') continue; // 0A: LISTEN
      if (Number.parseInt(columns[1]!.split(':')[1]!, 16) === port) inodes.add(columns[9]!);
    }
  }
  return inodes;
}

function socketInodesOf(pid: number): Set<string> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match) inodes.add(match[1]!);
      } catch {
        // closed while we looked
      }
    }
  } catch {
    // exited, or not ours to read
  }
  return inodes;
}

/** The process listening on a TCP port on this machine, if any. */
export function listenerPid(port: number): number | undefined {
  const wanted = listeningInodes(port);
  if (wanted.size === 0) return undefined;
  for (const pid of allPids()) {
    for (const inode of socketInodesOf(pid)) if (wanted.has(inode)) return pid;
  }
  return undefined;
}

/** Every TCP port a process listens on (the profiler uses it to find a service's inspector). */
export function listeningPorts(pid: number): number[] {
  const own = socketInodesOf(pid);
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns.length >= 10 && columns[3] === '0A' && own.has(columns[9]!)) ports.push(Number.parseInt(columns[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}
