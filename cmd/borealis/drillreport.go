package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// drillReport is what a drill found.
type drillReport struct {
	name, clusterID    string
	seed               uint64
	clients, accounts  int
	txnTimeout         time.Duration
	events             []event
	elapsed            time.Duration
	committed, failed  int
	attempted          int
	errKinds           []kindCount
	gap                time.Duration
	gapFrom, gapTo     time.Duration
	recovered          bool
	recoverAfterInject time.Duration
	recoverAfterBack   time.Duration

	// During the fault: from the moment the victims were gone until they
	// answered again.
	faultFrom, faultTo time.Duration
	faultInFlight      int         // transactions in flight during the fault window
	faultAcked         int         // ... and acknowledged
	faultRefused       int         // ... and failed
	faultBegunAcked    int         // transactions begun and acknowledged while every victim was down
	faultConnRefused   int         // failed connection attempts in the window
	faultKinds         []kindCount // how they failed
	readsServed        int         // reads in the fault window that returned
	readsFailed        int
	readKinds          []kindCount

	badReads  []string // reads (any time) with a wrong total or missing transfers
	check     consistency
	checkErr  error
	failures  []string
	pass      bool
	mustStop  bool // az-plus-one: writes must stop during the fault
	readsDone int  // reads over the whole run
}

// consistency is the final check of the bank against what clients saw.
type consistency struct {
	total, wantTotal int64
	accounts         int
	acked            int
	missing          []string // acknowledged, not in the log
	inLog            int
	unknown          []string // in the log, never attempted
	mismatched       []int    // accounts whose balance differs from the log's
}

// checkBank compares the bank as read back with what the clients did: the
// total is unchanged, every acknowledged transfer is in the log, every
// logged transfer was attempted, and every balance equals the initial
// balance plus the logged transfers.
func checkBank(st *bankState, accounts int, acked []string, attempted map[string]bool) consistency {
	c := consistency{wantTotal: int64(accounts) * drillBalance, accounts: len(st.balances), acked: len(acked), inLog: len(st.transfers)}
	for _, v := range st.balances {
		c.total += v
	}
	for _, id := range acked {
		if _, ok := st.transfers[id]; !ok {
			c.missing = append(c.missing, id)
		}
	}
	want := map[int]int64{}
	for i := 1; i <= accounts; i++ {
		want[i] = drillBalance
	}
	for id, t := range st.transfers {
		if !attempted[id] {
			c.unknown = append(c.unknown, id)
		}
		want[t.src] -= t.amount
		want[t.dst] += t.amount
	}
	for id, w := range want {
		if got, ok := st.balances[id]; !ok || got != w {
			c.mismatched = append(c.mismatched, id)
		}
	}
	for id := range st.balances {
		if _, ok := want[id]; !ok {
			c.mismatched = append(c.mismatched, id)
		}
	}
	sort.Strings(c.missing)
	sort.Strings(c.unknown)
	sort.Ints(c.mismatched)
	return c
}

// failures lists what is wrong with the bank; none means consistent.
func (c consistency) failures() []string {
	var f []string
	if c.total != c.wantTotal {
		f = append(f, fmt.Sprintf("total balance %d, want %d", c.total, c.wantTotal))
	}
	if len(c.missing) > 0 {
		f = append(f, fmt.Sprintf("%d acknowledged transfers missing from the log (e.g. %s)", len(c.missing), c.missing[0]))
	}
	if len(c.unknown) > 0 {
		f = append(f, fmt.Sprintf("%d transfers in the log were never attempted (e.g. %s)", len(c.unknown), c.unknown[0]))
	}
	if len(c.mismatched) > 0 {
		f = append(f, fmt.Sprintf("%d accounts differ from what the log says (e.g. account %d)", len(c.mismatched), c.mismatched[0]))
	}
	return f
}

// longestGap is the longest stretch in [from, to] without an
// acknowledgement, given the acknowledgement times.
func longestGap(acks []time.Duration, from, to time.Duration) (gap, start, end time.Duration) {
	sorted := append([]time.Duration(nil), acks...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	prev := from
	for _, t := range append(sorted, to) {
		if t < from {
			continue
		}
		if t-prev > gap {
			gap, start, end = t-prev, prev, t
		}
		prev = t
	}
	return gap, start, end
}

// report gathers what the drill saw and decides the verdict.
func (d *drill) report(recovered bool, st *bankState, readErr error) *drillReport {
	b := d.load
	b.mu.Lock()
	defer b.mu.Unlock()
	d.mu.Lock()
	defer d.mu.Unlock()
	r := &drillReport{
		name: d.name, clusterID: d.l.ID, seed: d.f.seed, clients: d.f.clients, accounts: d.f.accounts,
		txnTimeout: d.f.txnTimeout, events: append([]event(nil), d.events...), recovered: recovered,
		faultFrom: d.gone, faultTo: d.restored, mustStop: d.name == "az-plus-one",
	}
	restoring := d.restoring
	var acks []time.Duration
	var kinds, faultKinds []string
	attempted := map[string]bool{}
	firstAfterInject, found := time.Duration(0), false
	for _, a := range b.attempts {
		attempted[a.id] = true
		r.attempted++
		r.elapsed = max(r.elapsed, a.end)
		if a.acked {
			r.committed++
			acks = append(acks, a.end)
			if a.begin >= d.injected && (!found || a.end < firstAfterInject) {
				firstAfterInject, found = a.end, true
			}
		} else {
			r.failed++
			kinds = append(kinds, a.kind)
		}
		// In flight during the fault: begun before it ended, ended after
		// it began.
		if a.begin < r.faultTo && a.end > r.faultFrom {
			r.faultInFlight++
			if a.acked {
				r.faultAcked++
			} else {
				r.faultRefused++
				faultKinds = append(faultKinds, a.kind)
			}
		}
		// Acknowledged with the victims still down: begun after they were
		// gone and acknowledged before any was started again.
		if a.acked && a.begin >= r.faultFrom && a.end < restoring {
			r.faultBegunAcked++
		}
	}
	for _, e := range b.connErrs {
		kinds = append(kinds, e.kind)
		if e.at >= r.faultFrom && e.at < r.faultTo {
			r.faultConnRefused++
		}
	}
	r.errKinds = countKinds(kinds)
	r.faultKinds = countKinds(faultKinds)
	end := d.events[len(d.events)-1].at
	r.elapsed = end
	r.gap, r.gapFrom, r.gapTo = longestGap(acks, 0, end)
	if found {
		r.recoverAfterInject = firstAfterInject - d.injected
		r.recoverAfterBack = max(0, firstAfterInject-d.restored)
	} else {
		r.recovered = false
	}
	var readKinds []string
	for _, rd := range b.reads {
		if rd.ok {
			r.readsDone++
			if rd.total != b.total() || rd.rows != b.accounts || rd.missing > 0 {
				r.badReads = append(r.badReads, fmt.Sprintf("read at +%ss: total %d of %d accounts, %d acknowledged transfers missing", secs(rd.at), rd.total, rd.rows, rd.missing))
			}
		}
		if rd.at >= r.faultFrom && rd.at < r.faultTo {
			if rd.ok {
				r.readsServed++
			} else {
				r.readsFailed++
				readKinds = append(readKinds, rd.kind)
			}
		}
	}
	r.readKinds = countKinds(readKinds)

	if readErr != nil {
		r.checkErr = readErr
		r.failures = append(r.failures, "could not read the bank back: "+oneLine(readErr.Error()))
	} else {
		r.check = checkBank(st, b.accounts, b.acked, attempted)
		r.failures = append(r.failures, r.check.failures()...)
	}
	if len(r.badReads) > 0 {
		r.failures = append(r.failures, fmt.Sprintf("%d reads during the run were wrong (%s)", len(r.badReads), r.badReads[0]))
	}
	if !r.recovered {
		r.failures = append(r.failures, "writes did not resume after the nodes were back")
	}
	if r.mustStop {
		if r.faultBegunAcked > 0 {
			r.failures = append(r.failures, fmt.Sprintf("%d writes begun with only 3 storage nodes up were acknowledged", r.faultBegunAcked))
		}
		if r.faultRefused == 0 {
			r.failures = append(r.failures, "no write was refused during the fault")
		}
		if r.readsServed == 0 || r.readsFailed > 0 {
			r.failures = append(r.failures, fmt.Sprintf("reads during the fault: %d served, %d failed (want all served)", r.readsServed, r.readsFailed))
		}
	}
	r.pass = len(r.failures) == 0
	return r
}

// print writes the report.
func (r *drillReport) print(w io.Writer) {
	fmt.Fprintf(w, "\nDrill %s on cluster %s (seed %d; rerun with --seed %d)\n", r.name, r.clusterID, r.seed, r.seed)
	fmt.Fprintf(w, "Load: %d clients, %d accounts, total balance %d, transaction timeout %s\n\n", r.clients, r.accounts, int64(r.accounts)*drillBalance, r.txnTimeout)
	fmt.Fprintln(w, "Timeline:")
	for _, e := range r.events {
		fmt.Fprintf(w, "  +%6ss  %s\n", secs(e.at), e.what)
	}
	rate := 0.0
	if r.elapsed > 0 {
		rate = float64(r.committed) / r.elapsed.Seconds()
	}
	fmt.Fprintf(w, "\nTransactions: %d committed, %d failed, of %d attempted (%.1f commits/s)\n", r.committed, r.failed, r.attempted, rate)
	if len(r.errKinds) == 0 {
		fmt.Fprintln(w, "Errors clients saw: none")
	} else {
		fmt.Fprintln(w, "Errors clients saw:")
		for _, k := range r.errKinds {
			fmt.Fprintf(w, "  %6d  %s\n", k.count, k.kind)
		}
	}
	fmt.Fprintf(w, "Longest gap without a commit: %ss (+%ss to +%ss)\n", secs(r.gap), secs(r.gapFrom), secs(r.gapTo))
	if r.recovered {
		fmt.Fprintf(w, "Time to recover: %ss after the injection (%ss after the nodes were back) until a transaction begun after the injection committed\n", secs(r.recoverAfterInject), secs(r.recoverAfterBack))
	} else {
		fmt.Fprintln(w, "Time to recover: did not recover")
	}
	fmt.Fprintf(w, "During the fault (+%ss to +%ss, from the kill until the nodes answered again):\n", secs(r.faultFrom), secs(r.faultTo))
	fmt.Fprintf(w, "  writes in flight: %d, acknowledged: %d (begun and acknowledged while the nodes were down: %d), writes refused: %d", r.faultInFlight, r.faultAcked, r.faultBegunAcked, r.faultRefused)
	if len(r.faultKinds) > 0 {
		var ks []string
		for _, k := range r.faultKinds {
			ks = append(ks, fmt.Sprintf("%d× %s", k.count, k.kind))
		}
		fmt.Fprintf(w, " (%s)", strings.Join(ks, "; "))
	}
	if r.faultConnRefused > 0 {
		fmt.Fprintf(w, "; failed connection attempts: %d", r.faultConnRefused)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  reads served: %d, reads failed: %d (each read: every balance and the whole transfer log, checked against the transfers acknowledged before it)", r.readsServed, r.readsFailed)
	if len(r.readKinds) > 0 {
		fmt.Fprintf(w, " failures: %s", r.readKinds[0].kind)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Reads over the whole run: %d served, %d wrong\n", r.readsDone, len(r.badReads))
	if r.checkErr == nil {
		c := r.check
		fmt.Fprintf(w, "Consistency: total balance %d (want %d) over %d accounts; %d acknowledged transfers, %d missing from the log; %d transfers in the log, %d never attempted; %d accounts differ from the log\n",
			c.total, c.wantTotal, c.accounts, c.acked, len(c.missing), c.inLog, len(c.unknown), len(c.mismatched))
	} else {
		fmt.Fprintf(w, "Consistency: could not read the bank back: %s\n", oneLine(r.checkErr.Error()))
	}
	if r.pass {
		fmt.Fprintln(w, "Verdict: PASS (nothing acknowledged lost, total unchanged)")
		return
	}
	fmt.Fprintf(w, "Verdict: FAIL: %s\n", strings.Join(r.failures, "; "))
}
