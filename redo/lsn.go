package redo

import "strconv"

// LSN is a log sequence number: the position of a redo record in the volume's
// single log. LSNs are allocated by the writer in strictly increasing order;
// zero means "no record" (for example the back-link of a group's first record).
type LSN uint64

// String formats the LSN as a decimal number.
func (l LSN) String() string { return strconv.FormatUint(uint64(l), 10) }

// PageID is a page number within the volume's page space.
type PageID uint64

// String formats the page id as a decimal number.
func (p PageID) String() string { return strconv.FormatUint(uint64(p), 10) }
