package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// machine describes where the benchmark ran.
type machine struct {
	CPU    string // model name from /proc/cpuinfo
	Cores  int    // logical CPUs
	MemGiB float64
	Disk   string // device, file system and options of the data directory's mount
	Kernel string
}

// readMachine reads /proc for the machine description; fields it cannot
// read say why.
func readMachine(dataDir string) machine {
	m := machine{CPU: "unknown", Cores: runtime.NumCPU(), Disk: "unknown", Kernel: "unknown"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.CPU = cpuModel(string(b))
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.MemGiB = memTotalGiB(string(b))
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/self/mounts"); err == nil {
		dir, err := filepath.EvalSymlinks(dataDir)
		if err != nil {
			dir = dataDir
		}
		m.Disk = mountOf(string(b), dir)
	}
	return m
}

// cpuModel returns the first "model name" of /proc/cpuinfo text.
func cpuModel(cpuinfo string) string {
	sc := bufio.NewScanner(strings.NewReader(cpuinfo))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// memTotalGiB returns MemTotal of /proc/meminfo text in GiB (0 if absent).
func memTotalGiB(meminfo string) float64 {
	sc := bufio.NewScanner(strings.NewReader(meminfo))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseFloat(f[1], 64)
			if err == nil {
				return kb / (1 << 20)
			}
		}
	}
	return 0
}

// mountOf returns "device fstype (options) at mountpoint" for the mount of
// /proc/self/mounts text holding path (longest mount point that is a prefix).
func mountOf(mounts, path string) string {
	best, bestLen := "unknown", -1
	sc := bufio.NewScanner(strings.NewReader(mounts))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 {
			continue
		}
		mp := f[1]
		if !(path == mp || mp == "/" || strings.HasPrefix(path, strings.TrimSuffix(mp, "/")+"/")) {
			continue
		}
		if len(mp) > bestLen {
			best, bestLen = fmt.Sprintf("%s %s (%s) at %s", f[0], f[2], f[3], mp), len(mp)
		}
	}
	return best
}

// loadAvg returns the 1, 5 and 15 minute load averages from /proc/loadavg.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// gitState returns the HEAD commit of the checkout at root and how many
// tracked files of the working tree differ from it.
func gitState(ctx context.Context, root string) (commit string, dirty int, err error) {
	gctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(gctx, "git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		return "", 0, fmt.Errorf("git rev-parse HEAD: %w", err)
	}
	commit = strings.TrimSpace(string(out))
	out, err = exec.CommandContext(gctx, "git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output()
	if err == nil {
		for _, l := range strings.Split(string(out), "\n") {
			if strings.TrimSpace(l) != "" {
				dirty++
			}
		}
	}
	return commit, dirty, nil
}

// moduleRoot returns the directory of the go.mod of the current module.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside a Go module (run from the borealis checkout)")
	}
	return filepath.Dir(mod), nil
}
