package redo

import "fmt"

// Op is the physiological operation a redo record performs on its page. The
// payload layout of each operation is documented on its constant; all integers
// are little-endian. Apply rejects a payload that does not match its layout.
type Op uint8

// The operations. Values are part of the on-disk and on-wire format: never
// renumber them, only append.
const (
	// OpInvalid is never written; a decoded record carrying it is rejected.
	OpInvalid Op = iota
	// OpInitPage formats the page empty: payload u8 page type, u16 special-space size.
	OpInitPage
	// OpInsertItem inserts an item at an index, shifting later item ids up:
	// payload u16 index (0..count), item bytes.
	OpInsertItem
	// OpOverwriteItem replaces an item's bytes (the length may change):
	// payload u16 index, new item bytes.
	OpOverwriteItem
	// OpDeleteItem removes an item and shifts later item ids down: payload u16 index.
	OpDeleteItem
	// OpKillItem marks an item unused without shifting the item ids, so the
	// indexes of the other items stay valid (heap pruning): payload u16 index.
	OpKillItem
	// OpPatchItem overwrites bytes inside an item at an offset, without changing
	// its length: payload u16 index, u16 offset, bytes.
	OpPatchItem
	// OpSetSpecial overwrites bytes of the page's special space at an offset:
	// payload u16 offset, bytes.
	OpSetSpecial
	// OpSetFlags sets the page header flags: payload u16 flags.
	OpSetFlags
	// OpCompact defragments the page: drops the space of unused items and
	// trailing unused item ids, keeping every live item's index. Empty payload.
	OpCompact
	// OpFullPageImage replaces the whole page: payload exactly PageSize bytes.
	OpFullPageImage
	// OpNoop changes nothing but the page LSN (used for markers). Empty payload.
	OpNoop

	opCount // one past the last valid operation
)

var opNames = [...]string{
	OpInvalid:       "invalid",
	OpInitPage:      "init-page",
	OpInsertItem:    "insert-item",
	OpOverwriteItem: "overwrite-item",
	OpDeleteItem:    "delete-item",
	OpKillItem:      "kill-item",
	OpPatchItem:     "patch-item",
	OpSetSpecial:    "set-special",
	OpSetFlags:      "set-flags",
	OpCompact:       "compact",
	OpFullPageImage: "full-page-image",
	OpNoop:          "noop",
}

// Valid reports whether o is a defined operation.
func (o Op) Valid() bool { return o > OpInvalid && o < opCount }

// String names the operation.
func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return fmt.Sprintf("op(%d)", uint8(o))
}
