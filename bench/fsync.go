package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// FsyncResult is the disk's own durable-write rate for 8 KiB appends.
type FsyncResult struct {
	Ops    int
	PerSec float64
	P50    time.Duration
	P99    time.Duration
}

// MeasureFdatasync appends 8 KiB blocks to a file in dir, each followed by
// fdatasync, for roughly d, and reports the rate and latency percentiles: the
// floor any durable commit on this disk pays.
func MeasureFdatasync(dir string, d time.Duration) (FsyncResult, error) {
	f, err := os.CreateTemp(dir, "fsync-probe-*")
	if err != nil {
		return FsyncResult{}, fmt.Errorf("create probe file: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	block := make([]byte, 8192)
	var lat []time.Duration
	start := time.Now()
	for time.Since(start) < d {
		t0 := time.Now()
		if _, err := f.Write(block); err != nil {
			return FsyncResult{}, fmt.Errorf("write %s: %w", filepath.Base(f.Name()), err)
		}
		if err := fdatasync(f); err != nil {
			return FsyncResult{}, fmt.Errorf("fdatasync %s: %w", filepath.Base(f.Name()), err)
		}
		lat = append(lat, time.Since(t0))
	}
	elapsed := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return FsyncResult{
		Ops:    len(lat),
		PerSec: float64(len(lat)) / elapsed.Seconds(),
		P50:    Percentile(lat, 0.50),
		P99:    Percentile(lat, 0.99),
	}, nil
}

// Percentile returns the q-quantile (0..1) of sorted durations (zero if empty).
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q * float64(len(sorted)-1))
	return sorted[i]
}
