package segment

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Hot-log files are named log-<seq>.wal with a 16-digit zero-padded sequence
// number; they are only ever appended to, and deleted whole once the manifest
// says every frame in them is reflected in layers and the manifest.
const (
	logPrefix = "log-"
	logSuffix = ".wal"
)

func logName(seq uint64) string { return fmt.Sprintf("%s%016d%s", logPrefix, seq, logSuffix) }

// listLogs returns the sequence numbers of the log files in dir, ascending.
func listLogs(dir string) ([]uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list log files: %w", err)
	}
	var seqs []uint64
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, logPrefix) || !strings.HasSuffix(name, logSuffix) {
			continue
		}
		s, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(name, logPrefix), logSuffix), 10, 64)
		if err != nil {
			continue
		}
		seqs = append(seqs, s)
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	return seqs, nil
}

// CorruptionError reports damaged bytes in one of the node's files.
type CorruptionError struct {
	File   string // path of the damaged file
	Offset int64  // byte offset of the damaged frame, block or index
	Err    error  // what is wrong
}

// Error names the file and the offset.
func (e *CorruptionError) Error() string {
	return fmt.Sprintf("%s: corrupt at byte offset %d: %v", e.File, e.Offset, e.Err)
}

// Unwrap returns the underlying error.
func (e *CorruptionError) Unwrap() error { return e.Err }

// scanResult describes how far a log file was readable.
type scanResult struct {
	end  int64 // offset after the last good frame
	torn bool  // an incomplete tail followed the last good frame
}

// scanLog calls fn for every frame of a log file's contents in order. A torn
// tail (an incomplete frame, or a bad last frame, or zero fill, at the end)
// is reported in the result when it is at most tornLimit bytes (the newest
// file; a crash can only tear the last, unsynced group commit, so a longer
// damaged tail is corruption, not a torn write); any other damage is a
// *CorruptionError naming the file and offset, returned along with how far
// the file was good.
func scanLog(path string, data []byte, tornLimit int, fn func(kind byte, payload []byte) error) (scanResult, error) {
	off := 0
	for off < len(data) {
		kind, payload, n, err := readFrame(data[off:])
		if err != nil {
			tail := errors.Is(err, errTorn) || allZero(data[off:])
			if !tail && errors.Is(err, errBadFrame) {
				// A complete frame with a bad checksum that ends exactly at
				// the end of the file is a torn write of the last frame.
				if l, ok := frameLen(data[off:]); ok && off+l == len(data) {
					tail = true
				}
			}
			if tail && len(data)-off <= tornLimit {
				return scanResult{end: int64(off), torn: true}, nil
			}
			return scanResult{end: int64(off)}, &CorruptionError{File: path, Offset: int64(off), Err: err}
		}
		if err := fn(kind, payload); err != nil {
			return scanResult{end: int64(off)}, &CorruptionError{File: path, Offset: int64(off), Err: err}
		}
		off += n
	}
	return scanResult{end: int64(off)}, nil
}

// frameLen returns the total length a frame header claims, if plausible.
func frameLen(b []byte) (int, bool) {
	if len(b) < 4 {
		return 0, false
	}
	n := int(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24)
	if n == 0 || n > maxFrame {
		return 0, false
	}
	return 4 + n + frameTrailer, true
}

// logWriter appends frames to the current hot-log file.
type logWriter struct {
	dir   string
	seq   uint64
	f     *os.File
	size  int64  // end of the frames written
	alloc int64  // end of the file: zeros from size to alloc
	chunk int64  // preallocation step
	zeros []byte // chunk zero bytes, written past the frames
}

// logPrealloc is how far ahead of the frames a log file is filled with
// zeros. Group commits then overwrite allocated blocks, so their fdatasync
// writes data only: no size or extent change for the file system to
// journal on each commit (one in logPrealloc bytes does).
const logPrealloc = 1 << 20

// openLogWriter opens (creating if needed) log file seq for appending at size.
func openLogWriter(dir string, seq uint64, size, chunk int64) (*logWriter, error) {
	path := filepath.Join(dir, logName(seq))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open log file: %w", err)
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return nil, fmt.Errorf("truncate log file %s to %d: %w", path, size, err)
	}
	if _, err := f.Seek(size, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("seek log file %s: %w", path, err)
	}
	if size == 0 {
		if err := syncDir(dir); err != nil {
			f.Close()
			return nil, err
		}
	}
	chunk = max(min(chunk, logPrealloc), 4096)
	return &logWriter{dir: dir, seq: seq, f: f, size: size, alloc: size, chunk: chunk, zeros: make([]byte, chunk)}, nil
}

// write writes b after the last frame; when it passes the preallocated end,
// the same write extends the file with zeros to the next chunk boundary.
// Start-up takes a zero tail for the end of the log.
func (w *logWriter) write(b []byte) error {
	end := w.size + int64(len(b))
	_, err := w.f.WriteAt(b, w.size)
	w.size = end
	if err == nil && end > w.alloc {
		alloc := (end + w.chunk - 1) / w.chunk * w.chunk
		_, err = w.f.WriteAt(w.zeros[:alloc-end], end)
		w.alloc = max(alloc, w.alloc)
	}
	if err != nil {
		return fmt.Errorf("write log file %s: %w", logName(w.seq), err)
	}
	return nil
}

// sync makes the written frames durable (fdatasync where there is one: the
// file's size only changes once per preallocated chunk).
func (w *logWriter) sync() error {
	if err := fdatasync(w.f); err != nil {
		return fmt.Errorf("sync log file %s: %w", logName(w.seq), err)
	}
	return nil
}

// finish cuts the zero preallocation off a file that receives no more
// frames, durably, so that only the newest log file ever has a zero tail.
func (w *logWriter) finish() error {
	if w.alloc == w.size {
		return nil
	}
	if err := w.f.Truncate(w.size); err != nil {
		return fmt.Errorf("truncate log file %s: %w", logName(w.seq), err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("sync log file %s: %w", logName(w.seq), err)
	}
	w.alloc = w.size
	return nil
}

func (w *logWriter) close() error { return w.f.Close() }

// syncDir fsyncs a directory so that created, renamed and removed entries are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory for sync: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
