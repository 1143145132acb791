// Package redo defines what travels from the writer to storage: log sequence
// numbers, the redo record and its binary encoding, the 8 KiB slotted page
// format, and Apply, the one function through which any page changes on any
// node (writer, reader, storage). It knows nothing about networks or files.
package redo
