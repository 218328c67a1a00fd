package rule

import (
	"testing"

	"gloss/ent/membership"
	"gloss/internal/viewer"
)

// TestProjection checks the field rules that GraphQL and the exports share,
// for every role: whose email a viewer reads and whose authorship they learn.
func TestProjection(t *testing.T) {
	const self, other = 7, 8
	roles := []membership.Role{membership.RoleOwner, membership.RoleAdmin, membership.RoleManager, membership.RoleReviewer, membership.RoleAnnotator}
	for _, role := range roles {
		v := &viewer.Viewer{UserID: self, OrgID: 1, Role: role}
		admin := role == membership.RoleOwner || role == membership.RoleAdmin
		if !SeesEmail(v, self) {
			t.Errorf("%s does not see their own email", role)
		}
		if got := SeesEmail(v, other); got != admin {
			t.Errorf("%s sees another member's email: %v, want %v", role, got, admin)
		}
		for _, reveal := range []bool{false, true} {
			if !SeesAuthor(v, reveal, self) {
				t.Errorf("%s does not see that they wrote their annotation", role)
			}
			want := role != membership.RoleAnnotator || reveal
			if got := SeesAuthor(v, reveal, other); got != want {
				t.Errorf("%s (reveal %v) sees another's authorship: %v, want %v", role, reveal, got, want)
			}
		}
	}
	if SeesEmail(nil, self) || SeesAuthor(nil, true, self) {
		t.Error("an anonymous caller sees a field")
	}
	if SeesAuthor(&viewer.Viewer{UserID: self, Role: "STRANGER"}, false, other) {
		t.Error("an unknown role sees another's authorship")
	}
	sys := &viewer.Viewer{System: true}
	if !SeesEmail(sys, other) || !SeesAuthor(sys, false, other) {
		t.Error("the system viewer is refused a field")
	}
}
