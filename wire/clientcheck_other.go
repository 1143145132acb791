//go:build !linux

package wire

import "net"

// peerClosed is not supported on this platform: statements are not
// cancelled when their client disconnects.
func peerClosed(net.Conn) (gone, supported bool) { return false, false }
