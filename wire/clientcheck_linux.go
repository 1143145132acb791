//go:build linux

package wire

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// peerClosed polls nc's socket without consuming input or blocking: gone is
// true when the peer hung up (POLLRDHUP: it closed its side, even with
// unread input still queued) or the socket failed. supported is false when
// nc has no socket to poll.
func peerClosed(nc net.Conn) (gone, supported bool) {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return false, false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false, false
	}
	var revents int16
	var perr error
	if err := rc.Control(func(fd uintptr) {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLRDHUP}}
		_, perr = unix.Poll(fds, 0)
		revents = fds[0].Revents
	}); err != nil {
		return true, true // the socket is closed
	}
	if perr != nil {
		return false, true // EINTR and the like: look again next time
	}
	return revents&(unix.POLLRDHUP|unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0, true
}
