package main

import "testing"

// TestViewerIDWithoutARead: asking only for the viewer's id (answered from
// what the middleware read) gives the same user as asking for more, for a
// session and for a token; an anonymous caller gets null either way.
func TestViewerIDWithoutARead(t *testing.T) {
	s, owner := MustOwner(t, nil)
	full := owner.ok(`{ viewer { id email } }`, nil)
	id := str(full, "viewer", "id")
	if id == "" || str(full, "viewer", "email") == "" {
		t.Fatalf("viewer: %v", full)
	}
	token := str(owner.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
	for _, b := range []*browser{owner, s.tokenClient(t, token)} {
		for _, q := range []string{`{ viewer { id } }`, `{ viewer { __typename id } }`, `{ viewer { ... on User { id } } }`} {
			if got := str(b.ok(q, nil), "viewer", "id"); got != id {
				t.Fatalf("%s: viewer id %q, want %q", q, got, id)
			}
		}
	}
	if v := s.browser(t).ok(`{ viewer { id } }`, nil); path(v, "viewer") != nil {
		t.Fatalf("anonymous viewer: %v", v)
	}
}
