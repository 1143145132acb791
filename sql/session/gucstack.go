package session

import (
	"maps"

	"github.com/borealis-db/borealis/sql/types"
)

// settingsTx makes SET transactional, as PostgreSQL's GUC stack does: a
// transaction that changes a setting remembers the settings it began with;
// ROLLBACK restores them, COMMIT keeps the values set with plain SET and
// drops those set with SET LOCAL; ROLLBACK TO a savepoint restores the
// settings as the savepoint found them.
type settingsTx struct {
	start map[string]string // the settings as the transaction found them; nil: none changed
	kept  map[string]string // values of plain SETs in the transaction: COMMIT keeps them
	sps   []settingsSavepoint
}

// settingsSavepoint is the settings state when a savepoint was taken.
type settingsSavepoint struct {
	name     string
	settings map[string]string
	kept     map[string]string
}

// inTx reports whether a SET now belongs to a transaction that can still
// roll it back (an explicit block or a multi-statement implicit one).
func (s *Session) inTx() bool { return s.inBlock || s.implicitBlock }

// noteSet records, before the change, that name is about to be set inside
// the transaction (local: SET LOCAL, undone even by COMMIT).
func (s *Session) noteSet(name, value string, local bool) {
	g := &s.guc
	if g.start == nil {
		g.start = maps.Clone(s.settings)
	}
	if g.kept == nil {
		g.kept = map[string]string{}
	}
	if local {
		// A SET LOCAL after a plain SET leaves the plain value for COMMIT.
		return
	}
	g.kept[name] = value
}

// endSettings applies the end of the transaction to the settings and
// returns the names whose value changed (for ParameterStatus reports).
func (s *Session) endSettings(commit bool) []string {
	g := &s.guc
	if g.start == nil {
		g.sps = nil
		return nil
	}
	final := maps.Clone(g.start)
	if commit {
		maps.Copy(final, g.kept)
	}
	changed := s.restoreSettings(final)
	*g = settingsTx{}
	return changed
}

// savepointSettings records the settings for SAVEPOINT name.
func (s *Session) savepointSettings(name string) {
	s.guc.sps = append(s.guc.sps, settingsSavepoint{name: name, settings: maps.Clone(s.settings), kept: maps.Clone(s.guc.kept)})
}

// releaseSettings forgets savepoint name and the ones after it.
func (s *Session) releaseSettings(name string) {
	if i := s.findSettingsSavepoint(name); i >= 0 {
		s.guc.sps = s.guc.sps[:i]
	}
}

// rollbackToSettings restores the settings of savepoint name (which stays)
// and returns the names whose value changed.
func (s *Session) rollbackToSettings(name string) []string {
	i := s.findSettingsSavepoint(name)
	if i < 0 {
		return nil
	}
	sp := s.guc.sps[i]
	s.guc.sps = s.guc.sps[:i+1]
	s.guc.kept = maps.Clone(sp.kept)
	return s.restoreSettings(maps.Clone(sp.settings))
}

func (s *Session) findSettingsSavepoint(name string) int {
	for i := len(s.guc.sps) - 1; i >= 0; i-- {
		if s.guc.sps[i].name == name {
			return i
		}
	}
	return -1
}

// restoreSettings replaces the settings with to, keeping what the
// transaction machinery owns (isolation, read-only), and returns the names
// whose value changed.
func (s *Session) restoreSettings(to map[string]string) []string {
	for _, k := range []string{"transaction_isolation", "transaction_read_only"} {
		if v, ok := s.settings[k]; ok {
			to[k] = v
		}
	}
	var changed []string
	for k, v := range to {
		if s.settings[k] != v {
			changed = append(changed, k)
		}
	}
	s.settings = to
	if loc, err := types.LoadLocation(s.settings["timezone"]); err == nil {
		s.loc = loc
	}
	return changed
}

// reportSettings sends ParameterStatus for the reported parameters among
// names, as PostgreSQL does when a transaction's end changes them.
func (s *Session) reportSettings(names []string, out *output) error {
	for _, n := range names {
		if canon, ok := reported[n]; ok {
			if err := out.param(canon, s.settings[n]); err != nil {
				return err
			}
		}
	}
	return nil
}

// flushParams sends the ParameterStatus reports a transaction's end left.
func (s *Session) flushParams(out *output) error {
	names := s.pendingParams
	s.pendingParams = nil
	return s.reportSettings(names, out)
}
