// Package quorum is the writer-side client of the storage tier: the
// protection-group layout (Layout), the quorum bookkeeping as a pure state
// machine (Tracker: acks → SCL, PGCL, VCL, VDL), and Volume, which recovers a
// volume after a writer crash, streams redo records to the six replicas of
// each protection group, waits for group commit, and reads pages back.
package quorum
