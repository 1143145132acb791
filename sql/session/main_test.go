package session

import (
	"os"
	"testing"

	"github.com/borealis-db/borealis/segment/segtest"
)

// bin is the borealis binary for the process tests, built on first use.
var bin = segtest.NewBinary()

func TestMain(m *testing.M) {
	code := m.Run()
	bin.Remove()
	os.Exit(code)
}
