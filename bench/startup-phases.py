#!/usr/bin/env python3
"""bench/startup-phases.py TRACE - the phases of the starts bench/trace-startup.sh traced.

For each builtin traced (marker 1, 2, ...), the median, 25th and 75th
percentiles in microseconds of each phase of `isolate -q /bin/true`, from the
shell's marker before it to the marker after it; and of the bare /bin/true
run just before it. The processes are told apart by who forked whom: the
shell's last child of the run is the setup child (later the supervisor, by
exec), its child PID 1, PID 1's child the command; a first child of the shell,
when there is one, is the namespace helper (core/nsahead.c).
"""
import collections
import re
import statistics
import sys

LINE = re.compile(r'^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+\S+\s+([\d.]+): (\w+): (.*)$')
CLONE, EXECVEAT, READ, WRITE, UNSHARE, KILL = 56, 322, 0, 1, 272, 62
NEWNET_NEWIPC = '48000000'


def load(path):
    events = []
    with open(path) as f:
        for line in f:
            m = LINE.match(line)
            if m:
                comm, pid, cpu, ts, name, rest = m.groups()
                events.append((float(ts) * 1e6, int(pid), name, rest))
    return events


def nr(rest):
    return int(rest.split()[1])


def arg0(rest):
    return rest.split('(')[1].split(',')[0]


def phases(events, shell, a, b):
    """The phases of one run of the builtin, between the markers a and b."""
    run = [e for e in events if a <= e[0] <= b]
    parent, forked = {}, {}
    for ts, pid, name, rest in run:
        if name == 'sched_process_fork':
            m = re.search(r' pid=(\d+) child_comm=\S+ child_pid=(\d+)', rest)
            parent[int(m.group(2))] = int(m.group(1))
            forked[int(m.group(2))] = ts
    kids = sorted((c for c, p in parent.items() if p == shell), key=lambda c: forked[c])
    if not kids:
        return None
    child, helper = kids[-1], kids[0] if len(kids) > 1 else None
    pid1 = [c for c, p in parent.items() if p == child]
    cmd = [c for c, p in parent.items() if pid1 and p == pid1[0]]
    if not pid1 or not cmd:
        return None
    pid1, cmd = pid1[0], cmd[0]
    t, first, writes = {}, {}, 0
    for ts, pid, name, rest in run:
        if name == 'sched_switch':
            first.setdefault(int(re.search(r'next_pid=(\d+)', rest).group(1)), ts)
        elif name == 'sys_enter':
            n = nr(rest)
            if pid == shell and n == CLONE:
                t['clone'] = ts
            elif pid == child and n == EXECVEAT:
                t['execveat'] = ts
            elif pid == child and n == CLONE and 'execveat' in t:
                t.setdefault('pid1', ts)
            elif pid == pid1 and n == CLONE:
                t['cmd'] = ts
            elif pid == helper and n == UNSHARE and arg0(rest) == NEWNET_NEWIPC:
                t.setdefault('netns', ts)
            elif pid == helper and n == WRITE:
                writes += 1
                t['report%d' % writes] = ts
        elif name == 'sys_exit':
            if pid == child and nr(rest) == CLONE and 'pid1' in t:
                t.setdefault('pid1 ret', ts)
            elif pid == helper and nr(rest) == UNSHARE and 'netns' in t:
                t.setdefault('netns ret', ts)
        elif name == 'sched_process_exec' and pid == cmd:
            t['cmd exec'] = ts
        elif name == 'sched_process_exit':
            t['exit %d' % pid] = ts
    try:
        p = [
            ('plan: run start -> clone of the setup child', t['clone'] - a),
            ('setup child: clone -> exec of isolate-init', t['execveat'] - t['clone']),
            ('exec of isolate-init, supervisor start', t['pid1'] - t['execveat']),
            ('clone of PID 1 (the system call)', t['pid1 ret'] - t['pid1']),
            ('PID 1 setup: first run -> clones the command', t['cmd'] - first[pid1]),
            ('command clone -> its exec done', t['cmd exec'] - t['cmd']),
            ('the command runs: exec -> exit', t['exit %d' % cmd] - t['cmd exec']),
            ('command exit -> PID 1 exit', t['exit %d' % pid1] - t['exit %d' % cmd]),
            ('PID 1 exit -> supervisor exit', t['exit %d' % child] - t['exit %d' % pid1]),
            ('supervisor exit -> isolate returns', b - t['exit %d' % child]),
            ('TOTAL', b - a),
        ]
        if helper:
            # its writes: setgroups, uid_map, gid_map, then the reports:
            # namespaces for the setup child, IPC and network for PID 1
            p += [
                ('helper: clone -> first runs', first[helper] - forked[helper]),
                ('helper: unshare of IPC + network', t['netns ret'] - t['netns']),
                ('helper: IPC + network ready, after its clone', t['report5'] - forked[helper]),
            ]
    except KeyError:
        return None
    return p


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else '/tmp/isolate-startup.trace'
    events = load(path)
    shell = int(open(path + '.pid').read())
    marks = [(e[0], arg0(e[3])) for e in events
             if e[1] == shell and e[2] == 'sys_enter' and nr(e[3]) == KILL]
    by = collections.defaultdict(lambda: collections.defaultdict(list))
    bare = collections.defaultdict(list)
    for i in range(1, len(marks) - 1):
        (a, label), (b, _) = marks[i], marks[i + 1]
        if label == str(shell):
            continue
        bare[label].append(a - marks[i - 1][0])
        for name, v in phases(events, shell, a, b) or []:
            by[label][name].append(v)
    for label in sorted(by):
        v = sorted(bare[label])
        print('builtin %s (bare /bin/true before it: median %.0f us, %d runs)'
              % (label, statistics.median(v), len(v)))
        for name, v in by[label].items():
            v = sorted(v)
            print('  %-46s %6.0f %6.0f %6.0f' % (name, statistics.median(v),
                                                  v[len(v) // 4], v[len(v) * 3 // 4]))


if __name__ == '__main__':
    main()
