// Package storagerpc is the gRPC contract between the writer (and readers) and
// storage nodes, and among storage peers: message types with a strict binary
// encoding, a gRPC codec that carries them (redo records travel in their own
// encoding inside), the service descriptor and a typed client. It holds no
// storage logic.
package storagerpc
