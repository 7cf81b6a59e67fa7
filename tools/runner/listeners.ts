/**
 * Which process listens on a TCP port of this machine, and on which ports a
 * process listens, read from /proc (no tool spawned): the capacity bench finds
 * the processes it measures by their ports, the runner the Redis it raises.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export const allPids = () => readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);

/** Every listening TCP socket of this machine (IPv4 and IPv6, any address): its port and its inode. */
function listeningSockets(): { port: number; inode: string }[] {
  const sockets: { port: number; inode: string }[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue; // no IPv6 on this kernel
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns.length < 10 || columns[3] !== '0A') continue; // 0A: LISTEN
      sockets.push({ port: Number.parseInt(columns[1]!.split(':')[1]!, 16), inode: columns[9]! });
    }
  }
  return sockets;
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
  const wanted = new Set(listeningSockets().flatMap((socket) => (socket.port === port ? [socket.inode] : [])));
  if (wanted.size === 0) return undefined;
  for (const pid of allPids()) {
    for (const inode of socketInodesOf(pid)) if (wanted.has(inode)) return pid;
  }
  return undefined;
}

/** Every TCP port a process listens on (the profiler uses it to find a service's inspector). */
export function listeningPorts(pid: number): number[] {
  const own = socketInodesOf(pid);
  return listeningSockets().flatMap((socket) => (own.has(socket.inode) ? [socket.port] : []));
}
