package storagerpc

import "github.com/borealis-db/borealis/redo"

// Message is implemented by every type carried over the storage service.
type Message interface {
	marshal(e *encoder)
	unmarshal(d *decoder)
}

// Marshal encodes a message.
func Marshal(m Message) []byte {
	var e encoder
	m.marshal(&e)
	return e.b
}

// Unmarshal decodes b into m strictly: truncation, oversize fields and
// trailing bytes are errors wrapping ErrMalformed. Byte fields are copied.
func Unmarshal(b []byte, m Message) error {
	d := decoder{b: b}
	m.unmarshal(&d)
	return d.done()
}

// Range is an open interval of LSNs: After < lsn < Before.
type Range struct {
	After, Before redo.LSN
}

// Contains reports whether lsn lies strictly inside the range.
func (r Range) Contains(lsn redo.LSN) bool { return lsn > r.After && lsn < r.Before }

func putRanges(e *encoder, rs []Range) {
	e.u64(uint64(len(rs)))
	for _, r := range rs {
		e.u64(uint64(r.After))
		e.u64(uint64(r.Before))
	}
}

func getRanges(d *decoder) []Range {
	n := d.count()
	var rs []Range
	for i := 0; i < n && d.err == nil; i++ {
		r := Range{After: redo.LSN(d.u64()), Before: redo.LSN(d.u64())}
		if r.Before <= r.After {
			d.fail("empty truncation range (%d, %d)", r.After, r.Before)
		}
		rs = append(rs, r)
	}
	return rs
}

// AppendRequest carries one batch of redo records of one protection group from
// the writer to a replica, over the Append stream. The first request of a
// stream must carry Peers (the replica addresses of the group, this node
// included) and the volume's Truncations; later requests may leave them empty.
// A request with no records is a heartbeat that still updates VDL and
// MinReadPoint.
type AppendRequest struct {
	Epoch        uint64   // the writer's volume epoch; lower than the replica's is refused
	PG           uint32   // protection group
	Peers        []string // the group's replica addresses (first request)
	Truncations  []Range  // every range the volume has dropped in recoveries (first request)
	VDL          redo.LSN // the writer's volume durable LSN: safe to make immutable
	MinReadPoint redo.LSN // the oldest read point in use: versions below may be collected
	Records      []byte   // concatenated redo encodings, increasing LSN, all of group PG
}

func (m *AppendRequest) marshal(e *encoder) {
	e.u64(m.Epoch)
	e.u64(uint64(m.PG))
	e.u64(uint64(len(m.Peers)))
	for _, p := range m.Peers {
		e.str(p)
	}
	putRanges(e, m.Truncations)
	e.u64(uint64(m.VDL))
	e.u64(uint64(m.MinReadPoint))
	e.bytes(m.Records)
}

func (m *AppendRequest) unmarshal(d *decoder) {
	m.Epoch = d.u64()
	m.PG = d.u32()
	n := d.count()
	m.Peers = nil
	for i := 0; i < n && d.err == nil; i++ {
		m.Peers = append(m.Peers, d.str())
	}
	m.Truncations = getRanges(d)
	m.VDL = redo.LSN(d.u64())
	m.MinReadPoint = redo.LSN(d.u64())
	m.Records = d.ownedBytes()
}

// AppendAck answers an AppendRequest once its records are on disk (fsynced).
type AppendAck struct {
	PG      uint32
	SCL     redo.LSN // segment complete LSN: highest LSN with no gap below in this group
	Highest redo.LSN // highest LSN held (may be above SCL when there are gaps)
}

func (m *AppendAck) marshal(e *encoder) {
	e.u64(uint64(m.PG))
	e.u64(uint64(m.SCL))
	e.u64(uint64(m.Highest))
}

func (m *AppendAck) unmarshal(d *decoder) {
	m.PG = d.u32()
	m.SCL = redo.LSN(d.u64())
	m.Highest = redo.LSN(d.u64())
}

// GetPageRequest asks for a page as of an LSN.
type GetPageRequest struct {
	PG   uint32
	Page redo.PageID
	LSN  redo.LSN
}

func (m *GetPageRequest) marshal(e *encoder) {
	e.u64(uint64(m.PG))
	e.u64(uint64(m.Page))
	e.u64(uint64(m.LSN))
}

func (m *GetPageRequest) unmarshal(d *decoder) {
	m.PG = d.u32()
	m.Page = redo.PageID(d.u64())
	m.LSN = redo.LSN(d.u64())
}

// GetPageResponse holds the page image (redo.PageSize bytes, sealed with its
// checksum) as of the requested LSN.
type GetPageResponse struct {
	Page []byte
}

func (m *GetPageResponse) marshal(e *encoder)   { e.bytes(m.Page) }
func (m *GetPageResponse) unmarshal(d *decoder) { m.Page = d.ownedBytes() }

// StatusRequest asks a node for its status.
type StatusRequest struct{}

func (m *StatusRequest) marshal(*encoder)   {}
func (m *StatusRequest) unmarshal(*decoder) {}

// GroupStatus is a replica's view of one protection group.
type GroupStatus struct {
	PG        uint32
	Epoch     uint64
	SCL       redo.LSN
	Highest   redo.LSN
	VDL       redo.LSN // the highest VDL the writer has reported to this replica
	GCHorizon redo.LSN // reads below this LSN are refused
	Peers     []string
}

// StatusResponse describes a storage node.
type StatusResponse struct {
	Node      string
	AZ        string
	DiskBytes uint64
	Groups    []GroupStatus
}

func (m *StatusResponse) marshal(e *encoder) {
	e.str(m.Node)
	e.str(m.AZ)
	e.u64(m.DiskBytes)
	e.u64(uint64(len(m.Groups)))
	for _, g := range m.Groups {
		e.u64(uint64(g.PG))
		e.u64(g.Epoch)
		e.u64(uint64(g.SCL))
		e.u64(uint64(g.Highest))
		e.u64(uint64(g.VDL))
		e.u64(uint64(g.GCHorizon))
		e.u64(uint64(len(g.Peers)))
		for _, p := range g.Peers {
			e.str(p)
		}
	}
}

func (m *StatusResponse) unmarshal(d *decoder) {
	m.Node = d.str()
	m.AZ = d.str()
	m.DiskBytes = d.u64()
	n := d.count()
	m.Groups = nil
	for i := 0; i < n && d.err == nil; i++ {
		g := GroupStatus{
			PG:        d.u32(),
			Epoch:     d.u64(),
			SCL:       redo.LSN(d.u64()),
			Highest:   redo.LSN(d.u64()),
			VDL:       redo.LSN(d.u64()),
			GCHorizon: redo.LSN(d.u64()),
		}
		np := d.count()
		for j := 0; j < np && d.err == nil; j++ {
			g.Peers = append(g.Peers, d.str())
		}
		m.Groups = append(m.Groups, g)
	}
}

// EpochRequest raises a replica's volume epoch for a group (recovery fencing).
// A replica refuses an epoch lower than its own; an equal one is accepted again.
type EpochRequest struct {
	PG    uint32
	Epoch uint64
	Peers []string // the group's replica addresses
}

func (m *EpochRequest) marshal(e *encoder) {
	e.u64(uint64(m.PG))
	e.u64(m.Epoch)
	e.u64(uint64(len(m.Peers)))
	for _, p := range m.Peers {
		e.str(p)
	}
}

func (m *EpochRequest) unmarshal(d *decoder) {
	m.PG = d.u32()
	m.Epoch = d.u64()
	n := d.count()
	m.Peers = nil
	for i := 0; i < n && d.err == nil; i++ {
		m.Peers = append(m.Peers, d.str())
	}
}

// EpochResponse reports a replica's state after RaiseEpoch or Truncate.
type EpochResponse struct {
	SCL         redo.LSN
	Highest     redo.LSN
	VDL         redo.LSN // highest VDL the writer reported to this replica
	Truncations []Range  // every truncation this replica has recorded
}

func (m *EpochResponse) marshal(e *encoder) {
	e.u64(uint64(m.SCL))
	e.u64(uint64(m.Highest))
	e.u64(uint64(m.VDL))
	putRanges(e, m.Truncations)
}

func (m *EpochResponse) unmarshal(d *decoder) {
	m.SCL = redo.LSN(d.u64())
	m.Highest = redo.LSN(d.u64())
	m.VDL = redo.LSN(d.u64())
	m.Truncations = getRanges(d)
}

// TruncateRequest makes a replica drop every record inside Range, durably, and
// remember the range so that records inside it are refused from then on.
// Epoch must be the replica's current epoch.
type TruncateRequest struct {
	PG    uint32
	Epoch uint64
	Range Range
}

func (m *TruncateRequest) marshal(e *encoder) {
	e.u64(uint64(m.PG))
	e.u64(m.Epoch)
	putRanges(e, []Range{m.Range})
}

func (m *TruncateRequest) unmarshal(d *decoder) {
	m.PG = d.u32()
	m.Epoch = d.u64()
	rs := getRanges(d)
	if d.err == nil && len(rs) != 1 {
		d.fail("truncate carries %d ranges, want 1", len(rs))
		return
	}
	if len(rs) == 1 {
		m.Range = rs[0]
	}
}

// FetchRequest asks a replica for the records of a group with After < LSN <=
// Upto (Upto zero: no upper bound), streamed back in increasing LSN order. It
// serves peer repair and a recovering writer's read of the log tail.
type FetchRequest struct {
	PG    uint32
	After redo.LSN
	Upto  redo.LSN
}

func (m *FetchRequest) marshal(e *encoder) {
	e.u64(uint64(m.PG))
	e.u64(uint64(m.After))
	e.u64(uint64(m.Upto))
}

func (m *FetchRequest) unmarshal(d *decoder) {
	m.PG = d.u32()
	m.After = redo.LSN(d.u64())
	m.Upto = redo.LSN(d.u64())
}

// FetchChunk is one chunk of a Fetch stream: concatenated redo encodings.
type FetchChunk struct {
	Records []byte
}

func (m *FetchChunk) marshal(e *encoder)   { e.bytes(m.Records) }
func (m *FetchChunk) unmarshal(d *decoder) { m.Records = d.ownedBytes() }
