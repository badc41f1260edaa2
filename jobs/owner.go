package jobs

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// An owner string identifies the process running a job:
// host/boot/pid/start, where boot is the kernel's boot id and start the
// process's start time in clock ticks since boot (Linux), so that a reused
// pid is not mistaken for the owner.
type owner struct {
	host, boot  string
	pid         int
	start       string
	fromThisRun bool
}

// HeartbeatStaleAfter is how old a job's heartbeat must be before a job
// owned by a process on another machine (where its pid cannot be checked) is
// taken for dead. Running jobs beat every HeartbeatEvery.
const (
	HeartbeatEvery      = 2 * time.Second
	HeartbeatStaleAfter = 30 * time.Second
)

var self = func() owner {
	host, _ := os.Hostname()
	pid := os.Getpid()
	return owner{host: host, boot: bootID(), pid: pid, start: procStart(pid), fromThisRun: true}
}()

func (o owner) String() string {
	return fmt.Sprintf("%s/%s/%d/%s", o.host, o.boot, o.pid, o.start)
}

func parseOwner(s string) (owner, bool) {
	parts := strings.Split(s, "/")
	if len(parts) != 4 {
		return owner{}, false
	}
	pid, err := strconv.Atoi(parts[2])
	if err != nil {
		return owner{}, false
	}
	return owner{host: parts[0], boot: parts[1], pid: pid, start: parts[3]}, true
}

func bootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return "-"
	}
	return strings.TrimSpace(string(b))
}

// procStart returns the start time of process pid (field 22 of
// /proc/pid/stat), or "-" where /proc is not available.
func procStart(pid int) string {
	start, _ := procStat(pid)
	return start
}

// procStat returns the start time (field 22 of /proc/pid/stat) and the
// state (field 3: R, S, Z …) of process pid, or "-" and "".
func procStat(pid int) (start, state string) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "-", ""
	}
	s := string(b)
	// The command name (field 2) is in parentheses and may hold spaces.
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "-", ""
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 20 {
		return "-", ""
	}
	return fields[19], fields[0]
}

// ownerAlive tells whether the process that owns a job (owner string s,
// last heartbeat hb) is still running. On this machine the process table
// answers; elsewhere the heartbeat does.
func ownerAlive(s string, hb, now time.Time) bool {
	o, ok := parseOwner(s)
	if !ok {
		return false
	}
	if o.host == self.host && o.boot == self.boot && o.boot != "-" {
		if o.pid == self.pid && o.start == self.start {
			return true
		}
		// A zombie (killed, not yet reaped by its parent) keeps its /proc
		// entry but runs nothing.
		start, state := procStat(o.pid)
		return start != "-" && start == o.start && state != "Z" && state != "X"
	}
	return now.Sub(hb) < HeartbeatStaleAfter
}
