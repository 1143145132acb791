package segment

import (
	"context"
	"sync"
	"testing"

	"github.com/borealis-db/borealis/segment/storagerpc"
)

// BenchmarkAppend measures acknowledged Append batches of 10 random records
// (~90 bytes each) from 16 concurrent streams of different groups, over loopback
// gRPC with a real fsync per group commit. It reports fsyncs per batch.
// In the "lockstep" variant each stream waits for an ack before sending its
// next batch (the worst case for group commit).
func BenchmarkAppend(b *testing.B) {
	b.Run("pipelined", func(b *testing.B) { benchAppend(b, false) })
	b.Run("lockstep", func(b *testing.B) { benchAppend(b, true) })
}

func benchAppend(b *testing.B, lockstep bool) {
	n := startNode(b, b.TempDir(), nil)
	const streams = 16
	per := b.N/streams + 1
	gens := make([][]*storagerpc.AppendRequest, streams)
	for s := range gens {
		g := newGen(int64(s), 50)
		for i := 0; i < per; i++ {
			gens[s] = append(gens[s], req(uint32(s), 1, g.batch(b, 10)))
		}
	}
	before := counter(n.met.fsyncs)
	b.ResetTimer()
	var wg sync.WaitGroup
	for s := 0; s < streams; s++ {
		wg.Add(1)
		go func(reqs []*storagerpc.AppendRequest) {
			defer wg.Done()
			st, err := n.cli.Append(context.Background())
			if err != nil {
				b.Error(err)
				return
			}
			if lockstep {
				for _, r := range reqs {
					if err := st.Send(r); err != nil {
						b.Error(err)
						return
					}
					if _, err := st.Recv(); err != nil {
						b.Error(err)
						return
					}
				}
				st.CloseSend()
				return
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				for range reqs {
					if _, err := st.Recv(); err != nil {
						b.Error(err)
						return
					}
				}
			}()
			for _, r := range reqs {
				if err := st.Send(r); err != nil {
					b.Error(err)
					break
				}
			}
			<-done
			st.CloseSend()
		}(gens[s])
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric((counter(n.met.fsyncs)-before)/float64(per*streams), "fsyncs/batch")
}
