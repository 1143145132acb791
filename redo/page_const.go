package redo

// PageSize is the size of every page in bytes.
const PageSize = 8192

// Page layout constants (see Page for the full layout).
const (
	// PageHeaderSize is the size of the fixed page header; the item-id array
	// starts right after it.
	PageHeaderSize = 32
	// ItemIDSize is the size of one item id (u16 offset, u16 length).
	ItemIDSize = 4
	// PageFormatVersion is the page format version written in header byte 23.
	PageFormatVersion = 1
	// MaxItemCount is the largest number of item ids a page can hold.
	MaxItemCount = (PageSize - PageHeaderSize) / ItemIDSize
	// MaxItemSize is the largest item an empty page without special space can
	// hold (one item id plus the item fill the page).
	MaxItemSize = PageSize - PageHeaderSize - ItemIDSize
)

// Byte offsets of the page header fields.
const (
	offLSN      = 0
	offID       = 8
	offChecksum = 16
	offFlags    = 20
	offType     = 22
	offVersion  = 23
	offLower    = 24
	offUpper    = 26
	offSpecial  = 28
	offReserved = 30
)
